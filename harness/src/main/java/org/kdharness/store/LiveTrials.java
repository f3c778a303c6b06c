package org.kdharness.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trials of a sweep that are running now, with what their epochs have recorded so far: what {@code kd status}
 * shows of a sweep in progress.
 *
 * <p>Why apart from {@link MetricsStore}: the ledger's writers never read this view; a reader of a running sweep
 * needs, per running trial, its worker, its heartbeat and its last epoch, and whether the worker still lives.
 */
public final class LiveTrials {

    /**
     * One running trial.
     *
     * @param worker          {@code host:pid} of the process that claimed it
     * @param heartbeatAt     when it last recorded an epoch (its claim before the first)
     * @param workerGone      whether its worker ran on this host and its process no longer exists
     * @param epochs          the epochs it has recorded so far
     * @param lastEpoch       the last recorded epoch's metrics ({@code train_loss}, {@code val_accuracy}, ...), empty before
     * @param secondsPerEpoch the mean {@code epoch_seconds} of the recorded epochs, NaN before the first
     */
    public record Running(String trialId, String worker, Instant claimedAt, Instant heartbeatAt, boolean workerGone, int epochs,
                          Map<String, Double> lastEpoch, double secondsPerEpoch) {

        /** Whether this trial looks abandoned: its worker is gone, or it has been silent for {@code staleSeconds}. */
        public boolean stale(Instant now, long staleSeconds) {
            return workerGone || heartbeatAt != null && heartbeatAt.plusSeconds(staleSeconds).isBefore(now);
        }
    }

    private final MetricsStore store;
    private final Sql sql;

    LiveTrials(MetricsStore store, Sql sql) {
        this.store = store;
        this.sql = sql;
    }

    /** The sweep's running trials in plan order; {@code host} is this machine's name ({@link WorkerId#host}). */
    public List<Running> running(String sweep, String host) {
        synchronized (store) {
            List<Object[]> rows = sql.query("SELECT trial_id, worker, claimed_at, heartbeat_at FROM trial WHERE sweep = ? AND status = 'running'"
                    + " AND in_plan ORDER BY ordinal", rs -> new Object[]{rs.getString(1), rs.getString(2), rs.getTimestamp(3), rs.getTimestamp(4)}, sweep);
            List<Running> out = new ArrayList<>();
            for (Object[] r : rows) {
                String id = (String) r[0];
                TreeMap<Integer, Map<String, Double>> epochs = new TreeMap<>(store.epochs(sweep, id));
                double seconds = epochs.values().stream().map(m -> m.get("epoch_seconds")).filter(v -> v != null && !v.isNaN())
                        .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                Map<String, Double> last = epochs.isEmpty() ? Map.of() : epochs.lastEntry().getValue();
                out.add(new Running(id, (String) r[1], instant(r[2]), instant(r[3]), WorkerId.isDeadLocal((String) r[1], host),
                        epochs.size(), last, seconds));
            }
            return out;
        }
    }

    /**
     * Each done trial's wall time in its worker, from its claim to its end (training, evaluation and the store's writes:
     * what a pending trial will take, where the trial's own {@code seconds} count its training alone), by trial id.
     */
    public Map<String, Double> wallSeconds(String sweep) {
        synchronized (store) {
            Map<String, Double> out = new LinkedHashMap<>();
            sql.query("SELECT trial_id, claimed_at, finished_at FROM trial WHERE sweep = ? AND status = 'done'"
                    + " AND claimed_at IS NOT NULL AND finished_at IS NOT NULL", rs -> {
                        out.put(rs.getString(1), (rs.getTimestamp(3).getTime() - rs.getTimestamp(2).getTime()) / 1e3);
                        return 0;
                    }, sweep);
            return out;
        }
    }

    private static Instant instant(Object t) {
        return t == null ? null : ((Timestamp) t).toInstant();
    }
}
