package org.kdharness.cli;

import org.kdharness.store.MetricsStore;
import org.kdharness.store.WorkerId;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code kd status CONFIG}: progress of a sweep that is running elsewhere or finished. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a sweep's progress: counts, each running trial's epoch, loss and validation accuracy, the time left,"
                + " the best result so far and the failures.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "5", paramLabel = "SECONDS",
            description = "print it again every SECONDS (default 5) until no trial is pending or running; Ctrl-C to leave")
    Integer watch;

    @Option(names = "--stale-after", defaultValue = "1800",
            description = "seconds after which another host's silent running trial shows as stale (default: ${DEFAULT-VALUE};"
                    + " a trial whose worker process on this host is gone shows as stale at once)")
    long staleSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ConfigLoader.Loaded loaded = args.loadToRead();
        Workspace ws = args.workspace(loaded);
        String name = loaded.config().name();
        boolean terminal = System.console() != null;
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            while (true) {
                SweepStatus status = new SweepStatus(name, store.trials(name), store.live().running(name, WorkerId.host()),
                        store.live().wallSeconds(name), loaded.config().student().training().epochs(), loaded.config().runtime().parallelTrials(), Instant.now(), staleSeconds,
                        loaded.config().sweep().search().asha());
                List<String> lines = status.lines();
                if (watch != null && terminal) {
                    // redrawn in place: cursor home, clear the screen
                    System.out.print("\033[H\033[2J");
                }
                lines.forEach(System.out::println);
                boolean unfinished = status.rows().stream().anyMatch(r -> r.status().equals("pending") || r.status().equals("running"));
                if (watch == null || !unfinished) {
                    return 0;
                }
                System.out.flush();
                Thread.sleep(Math.max(1, watch) * 1000L);
                if (!terminal) {
                    System.out.println();
                }
            }
        }
    }
}
