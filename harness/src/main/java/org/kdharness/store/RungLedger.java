package org.kdharness.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The store's side of asynchronous successive halving: claiming a whole configuration (every
 * seed of one setting), the promote-or-prune decision at each rung, and pruned trials.
 *
 * <p>Why decisions live in the store: any number of worker threads, processes and Slurm tasks
 * share one ledger, so a decision is taken once, in one transaction that first locks the
 * sweep's row (an UPDATE, which H2 and PostgreSQL both hold to the commit): decisions and claims
 * of all workers are serialised, and each configuration arriving at a rung is judged against
 * exactly the configurations recorded there before it. A decision, once stored, is final: a
 * killed worker's configuration is trained again from its first epoch (the same seeds give the
 * same epochs) and, at each rung already decided, reads the stored decision instead of taking a
 * new one.
 */
public final class RungLedger {

    /**
     * A configuration's decision at one rung.
     *
     * @param arrival  1-based order in which configurations reached the rung
     * @param metric   the configuration's metric there (mean over its seeds)
     * @param promoted whether it continues
     */
    public record Decision(int rung, int epoch, int arrival, Double metric, boolean promoted) {
    }

    /** A stored decision with one trial of its configuration (to describe the configuration by). */
    public record Row(String configKey, String trialId, Decision decision) {
    }

    private final Object lock;
    private final Sql sql;

    RungLedger(Object lock, Sql sql) {
        this.lock = lock;
        this.sql = sql;
    }

    /**
     * Claims every pending trial of the next pending configuration whose first trial's ordinal
     * is in {@code shard} of {@code shards}, configurations taken in the order of their keys (hashes:
     * an order unrelated to the grid's axes, so that the first arrivals at a rung, which continue
     * more easily, are not all low temperatures). Each claimed trial starts from a clean slate.
     *
     * @return the claimed trial ids, in plan order; empty when no configuration is pending
     */
    public List<String> claimConfiguration(String sweep, String worker, int shard, int shards) {
        synchronized (lock) {
            List<String> out = new ArrayList<>();
            retrying(() -> sql.transaction(() -> {
                out.clear();
                serialise(sweep);
                // a configuration with a seed still running elsewhere is not split: its rest waits
                List<String[]> pending = sql.query("SELECT config_key, MIN(ordinal) FROM trial WHERE sweep = ? AND status = 'pending'"
                        + " AND in_plan AND config_key NOT IN (SELECT r.config_key FROM trial r WHERE r.sweep = ? AND r.status = 'running'"
                        + " AND r.in_plan AND r.config_key IS NOT NULL) GROUP BY config_key ORDER BY config_key",
                        rs -> new String[]{rs.getString(1), rs.getString(2)}, sweep, sweep);
                for (String[] p : pending) {
                    if (Integer.parseInt(p[1]) % shards != shard) {
                        continue;
                    }
                    List<String> ids = sql.query("SELECT trial_id FROM trial WHERE sweep = ? AND config_key = ? AND status = 'pending'"
                            + " AND in_plan ORDER BY ordinal", rs -> rs.getString(1), sweep, p[0]);
                    java.sql.Timestamp now = Sql.now();
                    for (String id : ids) {
                        sql.update("UPDATE trial SET status = 'running', worker = ?, attempts = attempts + 1, claimed_at = ?,"
                                + " heartbeat_at = ? WHERE sweep = ? AND trial_id = ? AND status = 'pending'", worker, now, now, sweep, id);
                        sql.update("DELETE FROM epoch_metric WHERE sweep = ? AND trial_id = ?", sweep, id);
                        sql.update("DELETE FROM trial_metric WHERE sweep = ? AND trial_id = ?", sweep, id);
                    }
                    out.addAll(ids);
                    return;
                }
            }));
            return out;
        }
    }

    /**
     * The configuration's decision at {@code rung}: the stored one if it was taken before, else a
     * new one, promoted when {@code promotes(rank, arrival)} holds for its rank among every
     * configuration recorded at the rung so far, itself included (1 = best; ties rank alike).
     */
    public Decision decide(String sweep, String configKey, int rung, int epoch, double metric, BiPredicate<Integer, Integer> promotes) {
        synchronized (lock) {
            Decision[] out = new Decision[1];
            retrying(() -> sql.transaction(() -> {
                serialise(sweep);
                List<Decision> known = sql.query("SELECT rung, epoch, arrival, metric_value, promoted FROM asha_rung"
                        + " WHERE sweep = ? AND config_key = ? AND rung = ?", RungLedger::decision, sweep, configKey, rung);
                if (!known.isEmpty()) {
                    out[0] = known.get(0);
                    return;
                }
                // configurations of the current plan only: an earlier version of the config competes no more
                List<Double> others = sql.query("SELECT metric_value FROM asha_rung WHERE sweep = ? AND rung = ? AND config_key IN"
                        + " (SELECT config_key FROM trial WHERE sweep = ? AND in_plan)", rs -> Sql.nullable(rs, 1), sweep, rung, sweep);
                int arrival = 1 + sql.query("SELECT COUNT(*) FROM asha_rung WHERE sweep = ? AND rung = ?", rs -> rs.getInt(1), sweep, rung).get(0);
                Double value = Sql.finite(metric);
                int rank = 1 + (int) others.stream().filter(o -> o != null && (value == null || o > value)).count();
                boolean promoted = promotes.test(rank, others.size() + 1);
                sql.update("INSERT INTO asha_rung(sweep, config_key, rung, epoch, arrival, metric_value, promoted, decided_at)"
                        + " VALUES (?,?,?,?,?,?,?,?)", sweep, configKey, rung, epoch, arrival, value, promoted, Sql.now());
                out[0] = new Decision(rung, epoch, arrival, value, promoted);
            }));
            return out[0];
        }
    }

    /** Marks a trial pruned at {@code rung}, after {@code epochs} epochs trained. */
    public void prune(String sweep, String trialId, int rung, int epochs, double seconds, String runId) {
        synchronized (lock) {
            sql.update("UPDATE trial SET status = 'pruned', pruned_rung = ?, epochs = ?, seconds = ?, finished_at = ?, run_id = ?,"
                    + " reason = NULL WHERE sweep = ? AND trial_id = ?", rung, epochs, seconds, Sql.now(), runId, sweep, trialId);
        }
    }

    /** Every stored decision of the sweep's current plan, by rung then arrival. */
    public List<Row> rows(String sweep) {
        synchronized (lock) {
            return sql.query("SELECT r.config_key, (SELECT MIN(t.trial_id) FROM trial t WHERE t.sweep = r.sweep AND t.config_key = r.config_key"
                    + " AND t.in_plan), r.rung, r.epoch, r.arrival, r.metric_value, r.promoted FROM asha_rung r WHERE r.sweep = ?"
                    + " AND r.config_key IN (SELECT config_key FROM trial WHERE sweep = r.sweep AND in_plan) ORDER BY r.rung, r.arrival", rs -> new Row(rs.getString(1), rs.getString(2), new Decision(rs.getInt(3),
                    rs.getInt(4), rs.getInt(5), Sql.nullable(rs, 6), rs.getBoolean(7))), sweep);
        }
    }

    private static Decision decision(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Decision(rs.getInt(1), rs.getInt(2), rs.getInt(3), Sql.nullable(rs, 4), rs.getBoolean(5));
    }

    /**
     * Runs {@code work} again when the database gave up waiting for the sweep's lock or for a conflicting
     * transaction (H2's lock timeout is 2 s; PostgreSQL's serialisation and deadlock failures): another
     * worker held it, which is no reason to fail a configuration.
     */
    private static void retrying(Runnable work) {
        for (int attempt = 1; ; attempt++) {
            try {
                work.run();
                return;
            } catch (StoreException e) {
                if (attempt >= 20 || !isTransient(e)) {
                    throw e;
                }
                try {
                    Thread.sleep(50L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static boolean isTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException s && java.util.Set.of("HYT00", "40001", "40P01", "55P03", "23505").contains(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** Holds the sweep's row lock until the transaction ends: one claim or decision at a time, across all workers. */
    private void serialise(String sweep) {
        sql.update("UPDATE sweep SET updated_at = ? WHERE name = ?", Sql.now(), sweep);
    }
}
