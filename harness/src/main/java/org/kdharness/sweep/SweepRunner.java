package org.kdharness.sweep;

import org.kdharness.data.Rows;
import org.kdharness.advise.CkaRankings;
import org.kdharness.config.ConfigHash;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.distill.TrialSpec;
import org.kdharness.store.Credentials;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.RunInfo;
import org.kdharness.store.TrialRow;
import org.kdharness.store.WorkerId;
import org.kdharness.teacher.Teacher;
import org.kdharness.teacher.TeacherCache;
import org.kdharness.teacher.TeacherOutputs;
import org.kdharness.train.DivergedException;
import org.kdharness.train.Trainer;
import org.kdharness.train.TrainingStopped;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs a sweep to completion: registers its trials in the store, trains (or reuses) the
 * teacher, then claims and runs pending trials until none are left.
 *
 * <p>Why claiming through the store: the same loop serves a first run, a resume after a
 * crash and several workers on one database; done trials are never re-run and no trial is
 * run twice. A trial that diverges or throws is marked failed with its reason and the
 * sweep goes on.
 */
public final class SweepRunner {

    /**
     * Options of one run.
     *
     * @param retryFailed  re-run trials that failed before
     * @param shard        this worker's shard (0-based)
     * @param shards       number of shards (1 = no sharding)
     * @param staleSeconds a running trial silent this long is considered abandoned
     */
    public record Options(boolean retryFailed, int shard, int shards, long staleSeconds) {
        public static Options defaults() {
            return new Options(false, 0, 1, 1800);
        }
    }

    /**
     * Counts at the end of a run.
     *
     * @param returned trials this run stopped and returned to pending
     * @param stopped  whether the run was asked to stop ({@link StopRequest}) with trials left to run
     */
    public record Summary(int total, int done, int failed, int ranNow, int returned, boolean stopped) {
    }

    /** How often a plain (non-terminal) output prints a summary line. */
    static final java.time.Duration SUMMARY_EVERY = java.time.Duration.ofMinutes(1);

    /** Test examples whose teacher outputs the report shows at several temperatures. */
    static final int TEACHER_SAMPLES = 4;

    private final PrintStream out;
    private final boolean terminal;
    private final ReportWriter report;
    private final StopRequest stop;

    public SweepRunner(PrintStream out) {
        this(out, System.console() != null, null);
    }

    public SweepRunner(PrintStream out, boolean terminal, ReportWriter report) {
        this(out, terminal, report, StopRequest.manual());
    }

    /**
     * @param terminal whether {@code out} is a terminal (a redrawn bar) or a file (plain lines
     *                 and a summary line a minute, see {@link SweepProgress})
     * @param report   writes the report from the store, every {@code runtime.report_every_minutes}
     *                 while the sweep runs; null for none
     * @param stop     once asked, no trial is claimed and the running ones stop and go back to pending
     */
    public SweepRunner(PrintStream out, boolean terminal, ReportWriter report, StopRequest stop) {
        this.out = out;
        this.terminal = terminal;
        this.report = report;
        this.stop = stop;
    }

    /** Writes a sweep's report from its store, returning where. */
    @FunctionalInterface
    public interface ReportWriter {
        java.nio.file.Path write(MetricsStore store);
    }

    public Summary run(ConfigLoader.Loaded loaded, Workspace ws, Options opt) {
        SweepConfig c = loaded.config();
        long started = System.nanoTime();
        DataSplits data = new DatasetLoader().load(c.dataset());
        Backend backend = Backend.configure(c.runtime().threadsPerTrial());
        out.println("kd run " + c.name() + " | " + backend + " | parallel trials " + c.runtime().parallelTrials());
        out.println("data: " + data.source());
        // every graph nameable without the teacher is built once before anything is trained
        List<long[]> teacherTaps = teacherTaps(loaded, data);
        preflight(loaded, SweepPlan.expand(c), data, teacherTaps);
        // the store is opened (and migrated) before anything is trained: a wrong URL or password fails
        // in seconds, not after the teacher's training; closed again meanwhile, so that hours of teacher
        // training leave no idle connection for a server to drop
        MetricsStore.open(ws.jdbcUrl()).close();
        // the teacher cache lives outside the store: training it writes nothing there
        Teacher teacher = new TeacherCache(ws.teacherRoot(), out::println).obtain(c.dataset(), c.teacher(), data);
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            CkaRankings cka = CkaRankings.reuseOrCompute(c, data, teacher, store, out::println);
            SweepPlan plan = SweepPlan.expand(c, cka.rankings());
            preflight(loaded, plan, data, teacherTaps);
            Map<String, Trial> byId = plan.trials().stream().collect(Collectors.toMap(Trial::id, Function.identity()));
            out.println(plan.trials().size() + " trials " + plan.countsByMethod());
            Map<String, String> stored = new java.util.HashMap<>();
            store.trials(c.name()).forEach(t -> stored.put(t.trialId(), t.status()));
            String conflict = AshaJob.conflict(plan, stored, store.rungs().rows(c.name()), c.sweep().search(), c.student().training().epochs());
            if (conflict != null) {
                throw new org.kdharness.config.ConfigException(loaded.file().toString(), 0, "sweep.search", conflict);
            }
            // the YAML may carry store.jdbc_url with a password: never stored (nor shown by the report) in clear
            store.upsertSweep(c.name(), Credentials.mask(loaded.yaml()));
            int added = store.addTrials(c.name(), plan.trials().stream().map(t -> PlannedTrials.planned(c, t)).toList());
            int released = store.releaseAbandoned(c.name(), WorkerId.host(), opt.staleSeconds(), opt.retryFailed());
            out.println("store: " + Credentials.mask(ws.jdbcUrl()) + " (" + added + " new trials, " + released + " returned to pending)");
            store.upsertTeacher(teacher.key(), ConfigHash.canonicalJson(c.teacher()), teacher.testAccuracy(),
                    teacher.model().paramCount(), teacher.trainSeconds());
            TeacherOutputs outputs = new TeacherOutputs(teacher, data);
            double[][] testLogits = Rows.of(outputs.logits(TeacherOutputs.Split.TEST));
            for (int i = 0; i < Math.min(TEACHER_SAMPLES, testLogits.length); i++) {
                store.putTeacherSample(teacher.key(), i, data.test().labels()[i], testLogits[i]);
            }
            String runId = UUID.randomUUID().toString();
            String worker = WorkerId.current();
            store.startRun(new RunInfo(runId, c.name(), worker, backend.backend(), backend.device(), backend.threads(),
                    c.runtime().parallelTrials(), System.getProperty("java.version"), backend.gitCommit(),
                    backend.libraries(), teacher.key(), data.source()));
            TrialRunner runner = new TrialRunner(c.student(), data, outputs,
                    Trainer.Engine.named(c.runtime().engine()), c.dataset().augmented());

            long doneBefore = store.trials(c.name()).stream().filter(t -> t.status().equals("done") || t.status().equals("pruned")).count();
            AtomicInteger ranNow = new AtomicInteger();
            AtomicInteger returned = new AtomicInteger();
            BestSoFar best = new BestSoFar();
            // from here a first Ctrl-C stops the sweep gracefully: every running trial can be returned to pending
            stop.arm();
            try (SweepProgress bar = new SweepProgress(out, terminal, c.name(), plan.trials().size(), doneBefore, SUMMARY_EVERY);
                 ReportRefresh refresh = ReportRefresh.start(report, store, c.runtime().reportEveryMinutes(), bar)) {
                Runnable work = c.sweep().search().asha() ? () -> {
                    List<String> ids;
                    while (!stop.requested() && !(ids = claimConfiguration(store, c.name(), worker, opt)).isEmpty()) {
                        ranNow.addAndGet(runConfiguration(store, c, runId, runner, ids, byId, bar, best, returned));
                    }
                } : () -> {
                    Optional<String> next;
                    while (!stop.requested() && (next = claim(store, c.name(), worker, opt)).isPresent()) {
                        Trial t = byId.get(next.get());
                        if (t == null) {
                            // registered by an older version of this config: not ours to run now
                            store.fail(c.name(), next.get(), "not part of the current config", runId);
                            continue;
                        }
                        if (runOne(store, c.name(), runId, runner, t, bar, best, null)) {
                            ranNow.incrementAndGet();
                        } else {
                            returned.incrementAndGet();
                        }
                    }
                };
                int workers = c.sweep().search().workers(c.runtime().parallelTrials(), c.sweep().seeds().size());
                ExecutorService pool = Executors.newFixedThreadPool(workers);
                try {
                    for (Future<?> f : pool.invokeAll(java.util.Collections.nCopies(workers,
                            java.util.concurrent.Executors.callable(work)))) {
                        f.get();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("worker failed: " + e.getMessage(), e);
                } finally {
                    pool.shutdownNow();
                }
            }
            store.finishRun(runId);
            var rows = store.trials(c.name());
            int done = (int) rows.stream().filter(r -> r.status().equals("done")).count();
            int failed = (int) rows.stream().filter(r -> r.status().equals("failed")).count();
            long pruned = rows.stream().filter(r -> r.status().equals("pruned")).count();
            out.printf(Locale.ROOT, "sweep %s: %d/%d done, %s%d failed, %d run now%s%n", c.name(), done, rows.size(),
                    pruned == 0 ? "" : pruned + " pruned, ", failed, ranNow.get(), best.describe());
            // what kd plan's estimate predicts: from loading the data to the last trial's end
            out.printf(Locale.ROOT, "wall time: %.1f s (%s)%n", (System.nanoTime() - started) / 1e9,
                    teacher.reused() ? "teacher cached" : String.format(Locale.ROOT, "teacher %.1f s", teacher.trainSeconds()));
            // asked to stop after the last trial ended: nothing to resume
            boolean unfinished = rows.stream().anyMatch(r -> r.status().equals("pending") || r.status().equals("running"));
            return new Summary(rows.size(), done, failed, ranNow.get(), returned.get(), stop.requested() && unfinished);
        }
    }

    /**
     * The next pending trial; when none is left, trials abandoned by workers that died while
     * this one ran are returned to pending and claimed too.
     */
    private static Optional<String> claim(MetricsStore store, String sweep, String worker, Options opt) {
        Optional<String> next = store.claimNext(sweep, worker, opt.shard(), opt.shards());
        if (next.isEmpty() && store.releaseAbandoned(sweep, WorkerId.host(), opt.staleSeconds(), false) > 0) {
            next = store.claimNext(sweep, worker, opt.shard(), opt.shards());
        }
        return next;
    }

    /** One claimed configuration under ASHA: its trials side by side, meeting at each rung ({@link AshaJob}). Returns how many ran. */
    private int runConfiguration(MetricsStore store, SweepConfig c, String runId, TrialRunner runner, List<String> ids,
                                 Map<String, Trial> byId, SweepProgress bar, BestSoFar best, AtomicInteger returned) {
        List<Trial> trials = new java.util.ArrayList<>();
        for (String id : ids) {
            if (byId.containsKey(id)) {
                trials.add(byId.get(id));
            } else {
                store.fail(c.name(), id, "not part of the current config", runId);
            }
        }
        if (trials.isEmpty()) {
            return 0;
        }
        AshaJob job = new AshaJob(c.name(), trials.get(0).configKey(), c.sweep().search(), c.student().training().epochs(),
                store.rungs(), trials.size());
        AtomicInteger ran = new AtomicInteger();
        SideBySide.run(trials.stream().<Runnable>map(t -> () -> {
            if (runOne(store, c.name(), runId, runner, t, bar, best, job)) {
                ran.incrementAndGet();
            } else {
                returned.incrementAndGet();
            }
        }).toList(), i -> "asha-" + trials.get(i).id());
        return ran.get();
    }

    /** {@link #claim}'s rule for ASHA: a whole pending configuration, after returning abandoned trials when none is left. */
    private static List<String> claimConfiguration(MetricsStore store, String sweep, String worker, Options opt) {
        List<String> ids = store.rungs().claimConfiguration(sweep, worker, opt.shard(), opt.shards());
        if (ids.isEmpty() && store.releaseAbandoned(sweep, WorkerId.host(), opt.staleSeconds(), false) > 0) {
            ids = store.rungs().claimConfiguration(sweep, worker, opt.shard(), opt.shards());
        }
        return ids;
    }

    /** The teacher's taps' shapes, from an untrained network of its architecture or the imported file run on one image. */
    private static List<long[]> teacherTaps(ConfigLoader.Loaded loaded, DataSplits data) {
        try (org.kdharness.teacher.FrozenTeacher t = org.kdharness.teacher.TeacherCache.standIn(loaded.config().teacher(), data.train())) {
            return t.tapShapes();
        } catch (IllegalArgumentException e) {
            throw new org.kdharness.config.ConfigException(loaded.file().toString(), 0,
                    loaded.config().teacher().onnx() != null ? "teacher.onnx" : "teacher.model", e.getMessage());
        }
    }

    private void preflight(ConfigLoader.Loaded loaded, SweepPlan plan, DataSplits data, List<long[]> teacherTaps) {
        try {
            Preflight.check(loaded.config(), plan, data.train(), teacherTaps);
        } catch (IllegalArgumentException e) {
            throw new org.kdharness.config.ConfigException(loaded.file().toString(), 0, "sweep.mappings", e.getMessage());
        }
    }

    /**
     * Runs one claimed trial to its end (done, pruned or failed), or returns it to pending when the sweep is asked to
     * stop while it trains.
     *
     * @param job the trial's ASHA configuration, or null in a grid
     * @return whether it ended (false: returned to pending)
     */
    private boolean runOne(MetricsStore store, String sweep, String runId, TrialRunner runner, Trial t, SweepProgress bar,
                        BestSoFar best, AshaJob job) {
        TrialSpec s = t.spec();
        String label = TrialLabel.of(s);
        long start = System.nanoTime();
        try {
            TrialRunner.Outcome o = runner.run(s, Trainer.EpochCallback.stoppable((epoch, m) -> {
                store.recordEpoch(sweep, t.id(), epoch, m);
                if (job != null) {
                    job.gate().epochDone(epoch, m);
                }
            }, stop::requested));
            store.complete(sweep, t.id(), o.metrics(), o.epochs(), o.seconds(), new TrialRow.Provenance(runId, o.engine()));
            double acc = o.metrics().get("test_accuracy");
            best.offer(s, o.metrics().get("val_accuracy"), acc, label);
            bar.line(String.format(Locale.ROOT, "done   %s %-60s test_acc %.4f agree %.4f (%.1f s)", t.id(), label, acc,
                    o.metrics().getOrDefault("test_teacher_agreement", Double.NaN), o.seconds())
                    + (o.earlyStop() == null ? "" : "\n       " + o.earlyStop()));
            bar.step(false, best::describe);
        } catch (TrainingStopped e) {
            if (job != null) {
                job.stop(); // before leave(): no rung is decided on the seeds that happened to arrive
            }
            store.returnToPending(sweep, t.id());
            bar.line("stopped " + t.id() + " " + label + ": back to pending");
            return false;
        } catch (AshaJob.Pruned e) {
            store.rungs().prune(sweep, t.id(), e.rung, e.epoch, (System.nanoTime() - start) / 1e9, runId);
            bar.line(String.format(Locale.ROOT, "pruned %s %-60s at rung %d (epoch %d, configuration's mean %s %s)", t.id(), label,
                    e.rung, e.epoch, "val", e.metric == null ? "n/a" : String.format(Locale.ROOT, "%.4f", e.metric)));
            bar.step(false, best::describe);
        } catch (DivergedException e) {
            store.fail(sweep, t.id(), "diverged: " + e.getMessage(), runId);
            bar.line("failed " + t.id() + " " + label + ": diverged: " + e.getMessage());
            bar.step(true, best::describe);
        } catch (RuntimeException | OutOfMemoryError e) {
            store.fail(sweep, t.id(), e.getClass().getSimpleName() + ": " + e.getMessage(), runId);
            bar.line(Credentials.mask("failed " + t.id() + " " + label + ": " + e));
            bar.step(true, best::describe);
        } finally {
            if (job != null) {
                job.leave();
            }
        }
        return true;
    }
}
