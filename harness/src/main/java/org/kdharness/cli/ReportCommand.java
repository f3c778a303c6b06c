package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.report.HtmlReport;
import org.kdharness.store.MetricsStore;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code kd report CONFIG}: (re)writes {@code reports/<sweep>/index.html} from the store. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Write the sweep's HTML report from the store.")
final class ReportCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @picocli.CommandLine.Option(names = "--summary", description = "also print the report's verdict paragraph")
    boolean summary;

    @Override
    public Integer call() {
        ConfigLoader.Loaded loaded = args.loadToRead();
        Workspace ws = args.workspace(loaded);
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            System.out.println("report: " + new HtmlReport().write(store, loaded.config().name(), ws.reports()));
            if (summary) {
                String answer = HtmlReport.answer(store, loaded.config().name());
                System.out.println(answer.isEmpty() ? "verdict: not yet (fewer than two methods have a finished configuration)" : answer);
            }
        }
        return 0;
    }
}
