package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.report.CsvExport;
import org.kdharness.report.SweepSummary;
import org.kdharness.report.TableExport;
import org.kdharness.store.MetricsStore;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code kd export CONFIG --format csv}: one row per trial on stdout. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Print the sweep's trials as a table.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Option(names = "--format", defaultValue = "csv", description = "csv (one row per trial), latex or markdown (paper table); default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--wide", description = "LaTeX: a table* spanning both columns of a two-column paper")
    boolean wide;

    @Option(names = "--group-by", defaultValue = "method",
            description = "rows of a latex/markdown table: method, mapping or temperature (default: ${DEFAULT-VALUE})")
    String groupBy;

    @Override
    public Integer call() {
        if (!List.of("csv", "latex", "markdown").contains(format)) {
            throw new IllegalArgumentException("--format: unsupported '" + format + "' (supported: csv, latex, markdown)");
        }
        TableExport.GroupBy by;
        try {
            by = TableExport.GroupBy.valueOf(groupBy.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--group-by: unsupported '" + groupBy + "' (supported: method, mapping, temperature)");
        }
        ConfigLoader.Loaded loaded = args.load();
        Workspace ws = args.workspace(loaded);
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            var trials = store.trials(loaded.config().name());
            switch (format) {
                case "csv" -> CsvExport.write(trials, new CsvExport.Defaults(loaded.config().student().model().shortName(),
                        loaded.config().student().training().learningRate(), loaded.config().student().training().optimiser()),
                        System.out);
                case "latex" -> System.out.print(TableExport.latex(SweepSummary.of(trials), by, loaded.config().name(), wide));
                default -> System.out.print(TableExport.markdown(SweepSummary.of(trials), by));
            }
        }
        return 0;
    }
}
