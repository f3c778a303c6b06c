package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.store.MetricsStore;
import org.kdharness.report.SweepSummary;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code kd status CONFIG}: progress of a sweep that is running elsewhere or finished. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a sweep's progress and best result so far.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Override
    public Integer call() {
        ConfigLoader.Loaded loaded = args.loadToRead();
        Workspace ws = args.workspace(loaded);
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            List<TrialRow> rows = store.trials(loaded.config().name());
            int planned = rows.size();
            Map<String, Integer> byStatus = new TreeMap<>();
            rows.forEach(r -> byStatus.merge(r.status(), 1, Integer::sum));
            long done = byStatus.getOrDefault("done", 0);
            double secs = rows.stream().filter(r -> r.seconds() != null).mapToDouble(TrialRow::seconds).average().orElse(Double.NaN);
            long left = planned - done - byStatus.getOrDefault("failed", 0) - byStatus.getOrDefault("pruned", 0);
            System.out.printf(Locale.ROOT, "%s: %d/%d done %s%n", loaded.config().name(), done, planned, byStatus);
            if (!Double.isNaN(secs) && left > 0) {
                System.out.printf(Locale.ROOT, "ETA ~%.0f s of training at %.1f s/trial (one worker)%n", left * secs, secs);
            }
            // the report's rule: the configuration with the best mean validation accuracy over its seeds
            SweepSummary.of(rows).groups().stream().filter(g -> !Double.isNaN(g.mean(SweepSummary.SELECT_ON))).min(SweepSummary.SELECTION)
                    .ifPresent(g -> System.out.printf(Locale.ROOT,
                            "best configuration by mean val accuracy: %s (%s%s), %d seed(s): val %.4f, test %.4f%n",
                            g.variant(), org.kdharness.report.HtmlReport.describe(g.first()),
                            g.first().context().isEmpty() ? "" : "; " + g.first().context(), g.seeds(),
                            g.mean(SweepSummary.SELECT_ON), g.mean(SweepSummary.REPORT_ON)));
            rows.stream().filter(r -> "failed".equals(r.status()))
                    .forEach(r -> System.out.println("failed " + r.trialId() + ": " + r.reason()));
        }
        return 0;
    }
}
