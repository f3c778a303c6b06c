package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.report.CsvExport;
import org.kdharness.report.HtmlReport;
import org.kdharness.report.MappingVerdict;
import org.kdharness.report.PairTable;
import org.kdharness.report.SweepSummary;
import org.kdharness.report.TableExport;
import org.kdharness.store.MetricsStore;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kd export CONFIG --format csv}: one row per trial on stdout; {@code latex} or
 * {@code markdown}: the sweep's paper table; several CONFIGs: one paper table with a column
 * per sweep (teacher-student pair, {@link PairTable}).
 */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Print the sweep's trials as a table.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MORE",
            description = "further sweeps (YAML or name): with --format latex|markdown, one table with a column per sweep, "
                    + "the teacher and the plain student on top, a row per method")
    List<String> more = new ArrayList<>();

    @Option(names = "--format", defaultValue = "csv", description = "csv (one row per trial), latex or markdown (paper table); default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--wide", description = "LaTeX: a table* spanning both columns of a two-column paper")
    boolean wide;

    @Option(names = "--group-by", defaultValue = "method",
            description = "rows of a latex/markdown table: method, mapping, temperature, or choice (which layers to map: "
                    + "oracle, CKA top-1, random, reverse, learned association, response only) (default: ${DEFAULT-VALUE})")
    String groupBy;

    @Override
    public Integer call() {
        if (!List.of("csv", "latex", "markdown").contains(format)) {
            throw new IllegalArgumentException("--format: unsupported '" + format + "' (supported: csv, latex, markdown)");
        }
        TableExport.GroupBy by = null;
        if (!groupBy.equalsIgnoreCase("choice")) {
            try {
                by = TableExport.GroupBy.valueOf(groupBy.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--group-by: unsupported '" + groupBy + "' (supported: method, mapping, temperature, choice)");
            }
        }
        if (!more.isEmpty()) {
            if (format.equals("csv")) {
                throw new IllegalArgumentException("--format: several sweeps make one paper table: use latex or markdown");
            }
            List<PairTable.Pair> pairs = new ArrayList<>();
            pairs.add(pair(args));
            for (String config : more) {
                pairs.add(pair(args.with(config)));
            }
            System.out.print(format.equals("latex") ? PairTable.latex(pairs, wide) : PairTable.markdown(pairs));
            return 0;
        }
        ConfigLoader.Loaded loaded = args.loadToRead();
        Workspace ws = args.workspace(loaded);
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            var trials = store.trials(loaded.config().name());
            if (by == null && !format.equals("csv")) {
                var rows = MappingVerdict.of(SweepSummary.of(trials).primary(), loaded.config(), store.cka(loaded.config().name()));
                System.out.print(format.equals("latex") ? MappingVerdict.latex(rows, loaded.config().name()) : MappingVerdict.markdown(rows));
                return 0;
            }
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

    /** One sweep's column: its trials, its models' names and its teacher's test accuracy from its store. */
    private static PairTable.Pair pair(SweepArgs a) {
        ConfigLoader.Loaded loaded = a.loadToRead();
        Workspace ws = a.workspace(loaded);
        String name = loaded.config().name();
        try (MetricsStore store = MetricsStore.open(ws.jdbcUrl())) {
            String key = HtmlReport.teacherKey(store.runs(name));
            double teacher = key == null ? Double.NaN : store.teacher(key)
                    .map(t -> t.get("test_accuracy") instanceof Number n ? n.doubleValue() : Double.NaN).orElse(Double.NaN);
            SweepSummary summary = SweepSummary.of(store.trials(name));
            // the column reports the primary setting: with a students axis, that setting's student, not the config's default
            String student = summary.primary().trials().stream().map(org.kdharness.store.TrialRow::student)
                    .filter(java.util.Objects::nonNull).findFirst().orElse(loaded.config().student().model().shortName());
            return new PairTable.Pair(name, loaded.config().teacher().model().shortName(), student, teacher, summary,
                    ws.reports().resolve("index.html").toString());
        }
    }
}
