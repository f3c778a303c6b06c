package org.kdharness.cli;

import org.kdharness.report.HtmlReport;
import org.kdharness.report.SweepSummary;
import org.kdharness.store.LiveTrials;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.WallTimeEstimate;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What {@code kd status} prints about a sweep at one moment: the counts, each running trial (its epoch, last loss and
 * validation accuracy, seconds per epoch, worker; or stale, with its last heartbeat), the time left, the best
 * configuration so far and the failures.
 *
 * <p>Why the time left is simulated, not divided: trials run side by side, each running one has its own time left,
 * the last few pending trials do not fill every slot, and trials of different methods cost different times (a feature
 * trial twice a response one in the quickstart). The pending trials are dealt in plan order (the order they are
 * claimed in), each at the mean wall time of the done trials most like it (same method, mapping and distance; else
 * same method; else all), to whichever of the live running trials' slots frees first
 * ({@link WallTimeEstimate#lastSlotFree}, as {@code kd plan} lays out a sweep); the time left is when the last slot
 * empties.
 *
 * @param wallSeconds   each done trial's wall time from its claim to its end ({@link LiveTrials#wallSeconds})
 * @param epochs        the epochs a trial trains ({@code student.training.epochs})
 * @param parallel      trials a worker runs side by side ({@code runtime.parallel_trials}): the slots when none runs
 * @param staleSeconds  silence after which another host's running trial counts as abandoned
 * @param asha          whether the sweep prunes (ASHA): trials then stop early, which the time left does not foresee
 */
record SweepStatus(String sweep, List<TrialRow> rows, List<LiveTrials.Running> running, Map<String, Double> wallSeconds, int epochs,
                   int parallel, Instant now, long staleSeconds, boolean asha) {

    /** A grid sweep's status. */
    SweepStatus(String sweep, List<TrialRow> rows, List<LiveTrials.Running> running, Map<String, Double> wallSeconds, int epochs,
                int parallel, Instant now, long staleSeconds) {
        this(sweep, rows, running, wallSeconds, epochs, parallel, now, staleSeconds, false);
    }

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    List<String> lines() {
        List<String> out = new ArrayList<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        rows.forEach(r -> byStatus.merge(r.status(), 1, Integer::sum));
        out.add(String.format(Locale.ROOT, "%s: %d/%d done %s", sweep, byStatus.getOrDefault("done", 0), rows.size(), byStatus));
        Map<String, TrialRow> byId = rows.stream().collect(Collectors.toMap(TrialRow::trialId, Function.identity(), (a, b) -> a));
        if (!running.isEmpty()) {
            out.add("running:");
            running.forEach(r -> out.add("  " + describe(r, byId.get(r.trialId()))));
        }
        String left = timeLeft();
        if (left != null) {
            out.add(left);
        }
        // the report's rule: the configuration with the best mean validation accuracy over its seeds
        SweepSummary.of(rows).groups().stream().filter(g -> !Double.isNaN(g.mean(SweepSummary.SELECT_ON))).min(SweepSummary.SELECTION)
                .ifPresent(g -> out.add(String.format(Locale.ROOT,
                        "best configuration by mean val accuracy: %s (%s%s), %d seed(s): val %.4f, test %.4f",
                        g.variant(), HtmlReport.describe(g.first()), g.first().context().isEmpty() ? "" : "; " + g.first().context(),
                        g.seeds(), g.mean(SweepSummary.SELECT_ON), g.mean(SweepSummary.REPORT_ON))));
        rows.stream().filter(r -> "failed".equals(r.status())).forEach(r -> out.add("failed " + r.trialId() + ": " + r.reason()));
        return out;
    }

    private String describe(LiveTrials.Running r, TrialRow row) {
        String label = row == null ? "" : " " + row.method() + " " + HtmlReport.describe(row) + " seed=" + row.seed();
        StringBuilder sb = new StringBuilder(r.trialId()).append(label);
        if (r.stale(now, staleSeconds)) {
            Instant last = r.heartbeatAt() != null ? r.heartbeatAt() : r.claimedAt();
            sb.append(" | stale: ").append(r.workerGone() ? "worker " + r.worker() + " is gone" : "worker " + r.worker() + " silent");
            if (last != null) {
                sb.append(", last heartbeat ").append(CLOCK.format(last)).append(" (").append(duration(Duration.between(last, now))).append(" ago)");
            }
            return sb.append("; the next kd run returns it to pending").toString();
        }
        sb.append(" | epoch ").append(r.epochs()).append('/').append(epochs);
        Double loss = r.lastEpoch().get("train_loss"), val = r.lastEpoch().get("val_accuracy");
        if (loss != null) {
            sb.append(String.format(Locale.ROOT, ", train_loss %.4f", loss));
        }
        if (val != null) {
            sb.append(String.format(Locale.ROOT, ", val %.4f", val));
        }
        if (!Double.isNaN(r.secondsPerEpoch())) {
            sb.append(String.format(Locale.ROOT, ", %.1f s/epoch", r.secondsPerEpoch()));
        }
        return sb.append(" | ").append(r.worker()).toString();
    }

    /** The mean wall time of the done trials like {@code t} (same method, mapping and distance; else method; else all), or NaN. */
    private double cost(TrialRow t) {
        List<java.util.function.Predicate<TrialRow>> likeness = List.of(
                r -> r.method().equals(t.method()) && java.util.Objects.equals(r.mapping(), t.mapping())
                        && java.util.Objects.equals(r.distance(), t.distance()),
                r -> r.method().equals(t.method()),
                r -> true);
        for (var like : likeness) {
            double mean = rows.stream().filter(r -> wallSeconds.containsKey(r.trialId()) && like.test(r))
                    .mapToDouble(r -> wallSeconds.get(r.trialId())).average().orElse(Double.NaN);
            if (!Double.isNaN(mean)) {
                return mean;
            }
        }
        // nothing done yet: a running trial's epochs so far tell what a trial costs
        return running.stream().filter(r -> !Double.isNaN(r.secondsPerEpoch())).mapToDouble(r -> r.secondsPerEpoch() * epochs)
                .average().orElse(Double.NaN);
    }

    /** The time left, or null when nothing is left or nothing is known yet to estimate it by. */
    String timeLeft() {
        Map<String, TrialRow> byId = rows.stream().collect(Collectors.toMap(TrialRow::trialId, Function.identity(), (a, b) -> a));
        List<LiveTrials.Running> live = running.stream().filter(r -> !r.stale(now, staleSeconds)).toList();
        java.util.Set<String> liveIds = live.stream().map(LiveTrials.Running::trialId).collect(Collectors.toSet());
        // pending trials in plan order, and stale running ones (trained again from their start)
        List<TrialRow> toStart = rows.stream().filter(r -> r.status().equals("pending")
                || r.status().equals("running") && !liveIds.contains(r.trialId())).toList();
        if (toStart.isEmpty() && live.isEmpty()) {
            return null;
        }
        List<Double> busy = new ArrayList<>();
        for (LiveTrials.Running r : live) {
            TrialRow row = byId.get(r.trialId());
            double cost = row == null ? Double.NaN : cost(row);
            double elapsed = r.claimedAt() == null ? 0 : Duration.between(r.claimedAt(), now).toMillis() / 1e3;
            double left = !Double.isNaN(cost) ? cost - elapsed
                    : Double.isNaN(r.secondsPerEpoch()) ? Double.NaN : (epochs - r.epochs()) * r.secondsPerEpoch();
            if (Double.isNaN(left)) {
                return null;
            }
            // a trial past its estimate is taken to end now
            busy.add(Math.max(0, left));
        }
        int width = live.isEmpty() ? parallel : live.size();
        List<Double> costs = new ArrayList<>();
        for (TrialRow t : toStart) {
            double cost = cost(t);
            if (Double.isNaN(cost)) {
                return null;
            }
            costs.add(cost);
        }
        double total = costs.stream().mapToDouble(Double::doubleValue).sum();
        double end = WallTimeEstimate.lastSlotFree(busy, width, costs);
        String how = String.format(Locale.ROOT, "%d to start, %.1f s/trial on average; %d running; %d side by side", toStart.size(),
                toStart.isEmpty() ? 0 : total / toStart.size(), live.size(), width);
        String left = duration(Duration.ofMillis((long) (end * 1e3)));
        String bound = asha ? "; ASHA prunes some of these early, so an upper bound" : "";
        return live.isEmpty() ? "no live worker: ~" + left + " of work left with " + width + " trial(s) side by side (" + how + bound + ")"
                : "ETA ~" + left + " (" + how + bound + ")";
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", s / 3600, s / 60 % 60);
    }
}
