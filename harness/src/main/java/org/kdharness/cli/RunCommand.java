package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.report.HtmlReport;
import org.kdharness.store.Credentials;
import org.kdharness.store.MetricsStore;
import org.kdharness.sweep.StopRequest;
import org.kdharness.sweep.SweepRunner;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kd run CONFIG}: runs (or resumes) a sweep, then writes its report. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run or resume a sweep; done trials are never re-run. Ends by writing the report.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Spec
    CommandSpec spec;

    @Option(names = "--retry-failed", description = "also re-run trials that failed before")
    boolean retryFailed;

    @Option(names = "--shard", description = "run only shard i of N (i/N, 0-based), e.g. for a Slurm array")
    String shard;

    @Option(names = "--stale-after", defaultValue = "1800",
            description = "seconds after which another host's running trial counts as abandoned (default: ${DEFAULT-VALUE})")
    long staleSeconds;

    @Option(names = "--no-report", description = "skip writing the report at the end")
    boolean noReport;

    @Option(names = "--deadline", description = "warn before starting when the sweep will not finish by then, and say what would:"
            + " a clock time (08:00) or a duration (10h, 90m)")
    String deadline;

    @Override
    public Integer call() {
        ConfigLoader.Loaded loaded = args.load();
        Workspace ws = args.workspace(loaded);
        int[] sh = parseShard(shard);
        if (deadline != null) {
            java.time.Duration left = org.kdharness.sweep.Deadline.parse(deadline, java.time.ZonedDateTime.now());
            warnAboutDeadline(loaded.config(), ws, left);
        }
        // the report is also rewritten every runtime.report_every_minutes while the sweep runs
        SweepRunner.ReportWriter report = noReport ? null : store -> new HtmlReport().write(store, loaded.config().name(), ws.reports());
        // Ctrl-C (and Slurm's SIGTERM) stops the sweep gracefully once trials run; a second one quits at once. The handler
        // stays until the report is written: the JVM's default one would close the store under the report writer
        try (StopRequest stop = StopRequest.onSignals(System.err)) {
            SweepRunner.Summary s = new SweepRunner(System.out, terminal(System.getenv("KD_PROGRESS")), report, stop).run(loaded, ws,
                    new SweepRunner.Options(retryFailed, sh[0], sh[1], staleSeconds));
            if (!noReport) {
                try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
                    Path file = new HtmlReport().write(store, loaded.config().name(), ws.reports());
                    System.out.println("report: " + file);
                } catch (RuntimeException e) {
                    // the trials are done and stored; a report can be written again with `kd report`
                    System.out.println("warning: report not written (" + Errors.describe(e) + "); run `kd report` to write it");
                }
            }
            if (s.stopped()) {
                System.out.printf(java.util.Locale.ROOT, "stopped on request: %d/%d done, %d returned to pending; resume with: %s%n",
                        s.done(), s.total(), s.returned(), resumeCommand());
                return StopRequest.EXIT_CODE;
            }
            return s.failed() > 0 ? 3 : 0;
        }
    }

    /** This command as the user can type it again: the launcher's path from here, the same arguments (passwords masked). */
    private String resumeCommand() {
        String home = System.getenv("KD_HOME");
        String kd = "kd";
        if (home != null) {
            Path rel = Path.of("").toAbsolutePath().relativize(Path.of(home, "kd").toAbsolutePath());
            kd = rel.getParent() == null ? "./kd" : rel.toString();
        }
        // the arguments as given to kd, this subcommand's name first
        StringBuilder sb = new StringBuilder(kd);
        for (String a : spec.commandLine().getParseResult().originalArgs()) {
            sb.append(' ').append(a.matches("[A-Za-z0-9_./:=@,+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return Credentials.mask(sb.toString());
    }

    /** Prints the estimate and, when it does not fit in {@code left}, what would. */
    private static void warnAboutDeadline(org.kdharness.config.SweepConfig c, Workspace ws, java.time.Duration left) {
        var estimate = org.kdharness.sweep.WallTimeEstimate.forSweep(c, ws);
        estimate.describe().forEach(System.out::println);
        int epochs = c.student().training().epochs();
        var asha = new org.kdharness.config.SearchSpec("asha", null, null, null);
        var plan = org.kdharness.sweep.SweepPlan.expand(c);
        var underAsha = c.sweep().search().asha() || asha.rungs(epochs).isEmpty() ? null
                : estimate.underAsha(asha, epochs, (int) plan.trials().stream().map(org.kdharness.sweep.Trial::configKey).distinct().count(),
                c.sweep().seeds().size(), c.runtime().parallelTrials());
        org.kdharness.sweep.Deadline.advice(estimate, underAsha, c.sweep().seeds().size(), left).forEach(System.out::println);
    }

    /**
     * Whether to draw a progress bar: {@code KD_PROGRESS=bar} or {@code plain} decides; else
     * a terminal on both ends (Java 17's {@code System.console()}: null under Slurm, nohup or
     * a redirect; the override is for a stderr redirected alone, or a JDK that reports a
     * console for redirected output).
     */
    static boolean terminal(String setting) {
        if ("bar".equals(setting) || "plain".equals(setting)) {
            return "bar".equals(setting);
        }
        return System.console() != null;
    }

    static int[] parseShard(String shard) {
        if (shard == null) {
            return new int[]{0, 1};
        }
        String[] p = shard.split("/");
        try {
            int i = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]);
            if (p.length == 2 && n >= 1 && i >= 0 && i < n) {
                return new int[]{i, n};
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("--shard must be i/N with 0 <= i < N, got '" + shard + "'");
    }
}
