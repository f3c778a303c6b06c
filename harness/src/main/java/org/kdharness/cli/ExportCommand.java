package org.kdharness.cli;

import org.kdharness.config.ConfigLoader;
import org.kdharness.report.CsvExport;
import org.kdharness.store.MetricsStore;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code kd export CONFIG --format csv}: one row per trial on stdout. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Print the sweep's trials as a table.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Option(names = "--format", defaultValue = "csv", description = "output format: csv (default: ${DEFAULT-VALUE})")
    String format;

    @Override
    public Integer call() {
        if (!format.equals("csv")) {
            throw new IllegalArgumentException("--format: unsupported '" + format + "' (supported: csv)");
        }
        ConfigLoader.Loaded loaded = args.load();
        Workspace ws = args.workspace(loaded);
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            CsvExport.write(store.trials(loaded.config().name()), System.out);
        }
        return 0;
    }
}
