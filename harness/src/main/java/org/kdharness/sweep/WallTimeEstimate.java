package org.kdharness.sweep;

import org.kdharness.config.SearchSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.DataSplits;
import org.kdharness.distill.TrialSpec;
import org.kdharness.store.TrialRow;
import org.kdharness.teacher.TeacherCache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long a sweep will take on this machine, before it runs: the teacher (unless cached), plus
 * every trial not yet finished, divided among the trials that train side by side.
 *
 * <p>Why measured rather than modelled: speed depends on the machine, the BLAS, the model and
 * the method. A kind of trial (method, student, mapping, distance, optimiser, labelled share)
 * whose trials finished before in this sweep's store is costed from their stored fit times; any
 * other kind is calibrated: one real trial of it (the real runner, graph and evaluation) trains
 * two epochs (the second timed) on up to {@value #CALIBRATION_ROWS} training rows, after one
 * untimed run, as many copies side by side as
 * the sweep will run, with an untrained teacher of the configured architecture feeding it (a
 * teacher's values do not change a step's cost). Its epoch is scaled to the training split's
 * size and to the trial's epochs; what the run spent outside training (building, evaluating) is
 * added per trial. Under ASHA the epochs are the rule's expectation for configurations arriving
 * in random order ({@link #ashaShare}).
 *
 * @param teacherSeconds 0 when the teacher is cached
 * @param kinds          per kind of trial: how many remain and the seconds each takes
 * @param sideBySide     trials training at once
 * @param setupSeconds   loading the data and computing the teacher's shared outputs, before any trial
 */
public record WallTimeEstimate(double teacherSeconds, List<Kind> kinds, int sideBySide, double setupSeconds) {

    /** Without set-up time. */
    public WallTimeEstimate(double teacherSeconds, List<Kind> kinds, int sideBySide) {
        this(teacherSeconds, kinds, sideBySide, 0);
    }

    static final int CALIBRATION_ROWS = 4096;

    /**
     * @param trials   remaining trials of this kind
     * @param outside  one trial's seconds outside its training loop (building, evaluating; 0 when stored)
     * @param training one trial's seconds in its training loop, while {@code sideBySide} train at once
     * @param source   {@code stored fit times}, {@code calibrated}, or {@code calibrated earlier on this machine}
     *                 ({@link CalibrationCache})
     */
    public record Kind(String label, int trials, double outside, double training, String source) {

        public double secondsPerTrial() {
            return outside + training;
        }
    }

    /**
     * The same sweep under ASHA with {@code search}: every trial still starts and is evaluated or
     * pruned, its training shrinks to the rule's expected share, and whole configurations train side by side.
     */
    public WallTimeEstimate underAsha(SearchSpec search, int epochs, int configurations, int seeds, int parallelTrials) {
        double share = ashaShare(search, epochs, configurations);
        List<Kind> scaled = kinds.stream().map(k -> new Kind(k.label(), k.trials(), k.outside(), k.training() * share, k.source())).toList();
        // optimistic where the per-trial times were calibrated with fewer trials side by side than ASHA runs
        return new WallTimeEstimate(teacherSeconds, scaled, search.trialsSideBySide(parallelTrials, seeds), setupSeconds);
    }

    /**
     * Estimated seconds from start to the last trial's end: the teacher, then the trials, longest
     * first, each to the slot that frees first (so a last round that is not full counts as it runs).
     */
    public double wallSeconds() {
        List<Double> costs = new ArrayList<>();
        kinds.stream().sorted(java.util.Comparator.comparingDouble(Kind::secondsPerTrial).reversed()).forEach(k -> {
            for (int i = 0; i < k.trials(); i++) {
                costs.add(k.secondsPerTrial());
            }
        });
        return setupSeconds + teacherSeconds + lastSlotFree(List.of(), sideBySide, costs);
    }

    /**
     * When the last of {@code width} slots of trials side by side frees: slot i is busy for {@code busy.get(i)} seconds
     * first (free where {@code busy} has no entry), and each of {@code costs}, in order, goes to the slot that frees
     * first. What {@code kd plan} lays a sweep out with, and {@code kd status} the rest of a running one.
     */
    public static double lastSlotFree(List<Double> busy, int width, List<Double> costs) {
        java.util.PriorityQueue<Double> slots = new java.util.PriorityQueue<>(busy);
        while (slots.size() < width) {
            slots.add(0.0);
        }
        for (double cost : costs) {
            slots.add(slots.poll() + cost);
        }
        return slots.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    /** The estimate, as lines for the console. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "estimated wall time on this machine: %s (%s; set-up %s; %d trial(s) side by side)",
                duration(wallSeconds()), teacherSeconds == 0 ? "teacher cached" : "teacher " + duration(teacherSeconds),
                duration(setupSeconds), sideBySide));
        for (Kind k : kinds) {
            out.add(String.format(Locale.ROOT, "  %4d x %-50s %7.2f s each (%.2f s training; %s)", k.trials(), k.label(),
                    k.secondsPerTrial(), k.training(), k.source()));
        }
        return out;
    }

    /** e.g. {@code 2h 05m}, {@code 3m 10s}, {@code 12.4s}. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60) : String.format(Locale.ROOT, "%.1fs", seconds);
    }

    /** The kind of a trial: what its cost depends on, apart from epochs. */
    static String kind(String method, String student, String mapping, String distance, String optimiser, Double labelled) {
        return method + (student == null ? "" : " student=" + student) + (mapping == null ? "" : " " + mapping + " " + distance)
                + (optimiser == null ? "" : " " + optimiser) + (labelled == null ? "" : " labelled");
    }

    /**
     * Estimates the remaining work of {@code plan}.
     *
     * @param done          the sweep's stored trials (empty before its first run)
     * @param teacherCached whether the teacher is already in the cache
     */
    public static WallTimeEstimate of(SweepConfig c, SweepPlan plan, DataSplits data, List<TrialRow> done, boolean teacherCached) {
        return of(c, plan, data, done, teacherCached, 0);
    }

    /** @param loadSeconds what loading the data took (part of the set-up a run repeats) */
    static WallTimeEstimate of(SweepConfig c, SweepPlan plan, DataSplits data, List<TrialRow> done, boolean teacherCached,
                               double loadSeconds) {
        return of(c, plan, data, done, teacherCached, loadSeconds, CalibrationCache.none());
    }

    /** @param cache calibrated figures of this machine from earlier plans, and where new ones are kept */
    static WallTimeEstimate of(SweepConfig c, SweepPlan plan, DataSplits data, List<TrialRow> done, boolean teacherCached,
                               double loadSeconds, CalibrationCache cache) {
        int epochs = c.student().training().epochs();
        SearchSpec search = c.sweep().search();
        int seeds = c.sweep().seeds().size();
        int sideBySide = search.trialsSideBySide(c.runtime().parallelTrials(), seeds);
        double share = ashaShare(search, epochs, (int) plan.trials().stream().map(Trial::configKey).distinct().count());
        Map<String, double[]> stored = new LinkedHashMap<>(); // kind -> {fit seconds per epoch, sum, count}
        Map<String, String> finished = new LinkedHashMap<>();
        for (TrialRow t : done) {
            String k = kind(t.method(), t.student(), t.mapping(), t.distance(), t.optimiser(), t.labelledFraction());
            if (!t.status().equals("pending") && !t.status().equals("running")) {
                finished.put(t.trialId(), k);
            }
            if (t.status().equals("done") && t.seconds() != null && t.epochs() != null && t.epochs() > 0) {
                double[] s = stored.computeIfAbsent(k, x -> new double[2]);
                s[0] += t.seconds() / t.epochs();
                s[1]++;
            }
        }
        Map<String, List<Trial>> remaining = new LinkedHashMap<>();
        for (Trial t : plan.trials()) {
            if (!finished.containsKey(t.id())) {
                TrialSpec s = t.spec();
                remaining.computeIfAbsent(kind(s.method().name(), s.studentName(), s.mapping() == null ? null : s.mapping().name(),
                        s.distance() == null ? null : s.distance().name(), s.optimiser(), s.labelledFraction()), k -> new ArrayList<>()).add(t);
            }
        }
        // built only when something is not in the cache
        Calibration[] cal = {null};
        java.util.function.Supplier<Calibration> calibration = () -> cal[0] != null ? cal[0] : (cal[0] = new Calibration(c, data));
        try {
            List<Kind> kinds = new ArrayList<>();
            for (Map.Entry<String, List<Trial>> e : remaining.entrySet()) {
                double[] s = stored.get(e.getKey());
                if (s != null) {
                    kinds.add(new Kind(e.getKey(), e.getValue().size(), 0, epochs * share * s[0] / s[1], "stored fit times"));
                    continue;
                }
                TrialSpec first = e.getValue().get(0).spec();
                // the trial's whole student (the kind names it by its short name only) and an imported teacher's file
                String key = cache.key("trial", c.student(), first.student() != null ? first.student() : c.student().model(),
                        c.teacher().model(), onnxHash(c), c.dataset(), e.getKey(), sideBySide, c.runtime().engine(), CALIBRATION_ROWS);
                java.util.Optional<double[]> known = cache.stored(key, 2);
                double[] m = known.orElseGet(() -> cache.measured(key, calibration.get().trial(first, sideBySide)));
                kinds.add(new Kind(e.getKey(), e.getValue().size(), m[0], epochs * share * m[1],
                        known.isPresent() ? "calibrated earlier on this machine" : "calibrated"));
            }
            double teacher = 0;
            if (remaining.isEmpty()) {
                return new WallTimeEstimate(0, List.of(), sideBySide, 0); // nothing left to run
            }
            if (!teacherCached) {
                teacher = cache.computeIfAbsent(cache.key("teacher", c.teacher(), c.dataset(), CALIBRATION_ROWS), 1,
                        () -> new double[]{calibration.get().teacher()})[0];
            }
            // the store's bookkeeping: creating it, and one committed write per epoch of every trial (one at a time)
            double[] store = cache.computeIfAbsent(cache.key("store"), 2, WallTimeEstimate::storeCosts);
            double outputs = cache.computeIfAbsent(cache.key("outputs", c.teacher().model(), onnxHash(c), c.dataset(), CALIBRATION_ROWS), 1,
                    () -> new double[]{calibration.get().teacherOutputs()})[0];
            int epochsLeft = remaining.values().stream().mapToInt(List::size).sum() * (int) Math.ceil(epochs * share);
            return new WallTimeEstimate(teacher, List.copyOf(kinds), sideBySide, loadSeconds + outputs + store[0] + store[1] * epochsLeft);
        } finally {
            if (cal[0] != null) {
                cal[0].close(); // an imported teacher's ONNX Runtime session
            }
        }
    }

    /**
     * The estimate for a sweep as configured: its data loaded, its store read when it exists (an H2
     * file is never created by looking), its teacher looked up in the cache.
     */
    public static WallTimeEstimate forSweep(SweepConfig c, Workspace ws) {
        return forSweep(c, ws, false);
    }

    /**
     * {@link #forSweep(SweepConfig, Workspace)}, its calibrations kept per machine under {@code reports/.calibration/}
     * ({@link CalibrationCache}); {@code recalibrate} measures again.
     */
    public static WallTimeEstimate forSweep(SweepConfig c, Workspace ws, boolean recalibrate) {
        long t0 = System.nanoTime();
        DataSplits data = new org.kdharness.data.DatasetLoader().load(c.dataset());
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        Backend backend = Backend.configure(c.runtime().threadsPerTrial());
        CalibrationCache cache = CalibrationCache.of(ws.teacherRoot().resolveSibling(".calibration"), backend, recalibrate);
        List<TrialRow> stored = List.of();
        // an H2 file store is read only when its file exists: looking must not create one
        String url = ws.jdbcUrl();
        boolean h2File = url.startsWith("jdbc:h2:file:");
        String file = h2File ? url.substring("jdbc:h2:file:".length()).split(";")[0] + ".mv.db" : null;
        if (!h2File || java.nio.file.Files.exists(java.nio.file.Path.of(file))) {
            try (org.kdharness.store.MetricsStore store = org.kdharness.store.MetricsStore.open(ws.jdbcUrl())) {
                stored = store.trials(c.name());
            }
        }
        boolean cached = new TeacherCache(ws.teacherRoot(), s -> { }).cached(c.dataset(), c.teacher());
        return of(c, SweepPlan.expand(c), data, stored, cached, loadSeconds, cache);
    }

    /** An imported teacher's file hash (what its cost depends on beyond its declared taps), or "" for one built here. */
    private static String onnxHash(SweepConfig c) {
        return c.teacher().onnx() == null || c.teacher().onnx().sha256() == null ? "" : c.teacher().onnx().sha256();
    }

    /** {seconds to create and migrate a store, seconds per committed epoch write}, timed on a throwaway H2 file. */
    static double[] storeCosts() {
        java.nio.file.Path tmp = null;
        try {
            tmp = java.nio.file.Files.createTempDirectory("kd-estimate");
            long t0 = System.nanoTime();
            try (org.kdharness.store.MetricsStore s = org.kdharness.store.MetricsStore.open("jdbc:h2:file:" + tmp.resolve("metrics"))) {
                double open = (System.nanoTime() - t0) / 1e9;
                s.upsertSweep("estimate", "");
                s.addTrials("estimate", List.of(new org.kdharness.store.MetricsStore.PlannedTrial("t", 0, "baseline", null, null, null,
                        null, null, null, 1, null, null, null, null, null, "{}", "t")));
                Map<String, Double> metrics = new LinkedHashMap<>();
                for (int i = 0; i < 12; i++) {
                    metrics.put("train_metric_" + i, (double) i);
                }
                int writes = 20;
                long t1 = System.nanoTime();
                for (int e = 1; e <= writes; e++) {
                    s.recordEpoch("estimate", "t", e, metrics);
                }
                return new double[]{open, (System.nanoTime() - t1) / 1e9 / writes};
            }
        } catch (java.io.IOException | RuntimeException e) {
            return new double[]{0, 0}; // no temporary folder: the estimate goes without
        } finally {
            if (tmp != null) {
                try (var files = java.nio.file.Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (java.io.IOException ignored) {
                    // a temporary folder left behind
                }
            }
        }
    }

    /**
     * The expected share of a full grid's epochs that ASHA trains, when configurations arrive at
     * each rung in random order: at a rung reached by n, the i-th arrival continues with
     * probability {@code ceil(i/η)/i}; 1 for a grid.
     */
    static double ashaShare(SearchSpec search, int epochs, int configurations) {
        List<Integer> rungs = search.rungs(epochs);
        if (rungs.isEmpty() || configurations == 0) {
            return 1.0;
        }
        double reached = configurations, cost = 0;
        for (int rung : rungs) {
            double promoted = 0;
            int n = (int) Math.round(reached);
            for (int i = 1; i <= n; i++) {
                promoted += Math.min(1.0, Math.ceil(i / search.reductionFactor() - 1e-9) / i);
            }
            promoted = n == 0 ? 0 : promoted * reached / n;
            cost += (reached - promoted) * rung;
            reached = promoted;
        }
        cost += reached * epochs;
        return cost / ((double) configurations * epochs);
    }
}
