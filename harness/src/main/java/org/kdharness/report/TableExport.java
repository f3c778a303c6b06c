package org.kdharness.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Paper tables from a sweep: LaTeX (booktabs) and Markdown, grouped by method, mapping or
 * temperature.
 *
 * <p>Why every row is a configuration chosen on validation accuracy: a table of
 * test-selected maxima overstates every method. Cells are mean ± sample std over seeds (in
 * percent, ECE as a fraction); the best mean of each column is bold; a dagger (down arrow) marks rows
 * significantly better (worse) than the baseline (paired t-test on matched seeds, p &lt; 0.05).
 */
public final class TableExport {

    /** How rows are formed. */
    public enum GroupBy { METHOD, MAPPING, TEMPERATURE }

    static final double SIGNIFICANCE = 0.05;

    /**
     * One table row: the setting it belongs to (student, learning rate, labelled fraction,
     * optimiser; "" for the config's defaults), its label, the configuration it reports, and
     * the baseline of the same setting it is tested against, if any.
     */
    public record Row(String context, String label, ConfigGroup group, ConfigGroup baseline) {

        /** The label with its setting in front, for one flat list (Markdown, the report). */
        public String qualifiedLabel() {
            return context.isEmpty() ? label : "[" + context + "] " + label;
        }
    }

    /**
     * @param bold whether the best value is marked; agreement with the teacher is not "better"
     *             when higher (a student can agree by copying the teacher's mistakes)
     */
    private record Column(String title, String metric, boolean percent, boolean higherIsBetter, boolean bold) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("Test acc. (\\%)", "test_accuracy", true, true, true),
            new Column("Agreement (\\%)", "test_teacher_agreement", true, true, false),
            new Column("ECE", "test_ece", false, false, true));

    private TableExport() {
    }

    /** Rows for a grouping, each the best-by-validation configuration of its group, per setting. */
    public static List<Row> rows(SweepSummary all, GroupBy by) {
        List<Row> rows = new ArrayList<>();
        all.byContext().forEach((context, s) -> {
            for (Row r : rowsOf(s, by)) {
                rows.add(new Row(context, r.label(), r.group(), r.baseline()));
            }
        });
        return rows;
    }

    private static List<Row> rowsOf(SweepSummary s, GroupBy by) {
        Map<String, ConfigGroup> best = new LinkedHashMap<>();
        Function<ConfigGroup, String> key = switch (by) {
            case METHOD -> ConfigGroup::variant;
            case MAPPING -> g -> g.first().mapping() == null ? null : g.method() + " " + g.first().mapping() + " (" + g.first().distance() + ")";
            case TEMPERATURE -> g -> g.first().temperature() == null ? g.method() : g.method() + " T=" + CsvExport.num(g.first().temperature());
        };
        for (ConfigGroup g : s.groups()) {
            String k = key.apply(g);
            if (k != null) {
                best.merge(k, g, (a, b) -> SweepSummary.SELECTION.compare(b, a) < 0 ? b : a);
            }
        }
        List<Row> rows = new ArrayList<>();
        ConfigGroup baseline = s.bestOf("baseline").orElse(null);
        best.forEach((k, g) -> rows.add(new Row("", k, g, baseline)));
        if (by == GroupBy.MAPPING) {
            rows.sort(Comparator.comparingDouble((Row r) -> r.group().mean(SweepSummary.REPORT_ON)).reversed());
            // the row every mapping is compared against
            if (baseline != null) {
                rows.add(new Row("", "baseline (no mapping)", baseline, baseline));
            }
        }
        return rows;
    }

    public static String latex(SweepSummary s, GroupBy by, String sweep) {
        return latex(s, by, sweep, false);
    }

    /**
     * A booktabs table. Settings (student, learning rate, labelled fraction, optimiser) are
     * blocks under their own heading row; bold and the marks are decided within a block;
     * each configuration is spelt out on a wrapped line under its row, so the table keeps to
     * the text width.
     *
     * @param wide {@code table*}, spanning both columns of a two-column paper
     */
    public static String latex(SweepSummary s, GroupBy by, String sweep, boolean wide) {
        List<Row> rows = rows(s, by);
        int columns = COLUMNS.size() + 2;
        String env = wide ? "table*" : "table";
        StringBuilder t = new StringBuilder();
        t.append("% kd-harness: sweep ").append(sweep).append(", needs \\usepackage{booktabs}\n");
        t.append("\\begin{").append(env).append("}[t]\n\\centering\n\\small\n\\setlength{\\tabcolsep}{4pt}\n");
        // the label column wraps (long mapping names), the numbers keep to one line each
        t.append("\\begin{tabular}{p{0.28\\linewidth}").append("r".repeat(COLUMNS.size())).append("r}\n\\toprule\n");
        // the configuration is spelt out under each method's row, so its column is just "Method"
        t.append(by == GroupBy.METHOD ? "Method" : escape(title(by)));
        COLUMNS.forEach(c -> t.append(" & ").append(c.title()));
        t.append(" & Seeds \\\\\n");
        boolean blocks = rows.stream().anyMatch(r -> !r.context().isEmpty());
        String context = null;
        for (Row r : rows) {
            if (!r.context().equals(context)) {
                context = r.context();
                t.append("\\midrule\n");
                if (blocks) {
                    t.append("\\multicolumn{").append(columns).append("}{p{0.9\\linewidth}}{\\emph{")
                            .append(escape(context.isEmpty() ? "config defaults" : context)).append("}} \\\\\n")
                            .append("\\cmidrule(l){1-").append(columns).append("}\n");
                }
            }
            t.append(escape(r.label()));
            if (significant(r)) {
                t.append(better(r) ? "$^{\\dagger}$" : "$^{\\downarrow}$");
            }
            for (Column c : COLUMNS) {
                String cell = cell(r.group(), c);
                t.append(" & ").append(isBest(rows, r, c) ? "\\textbf{" + cell + "}" : cell);
            }
            t.append(" & ").append(r.group().seeds()).append(" \\\\\n");
            String config = HtmlReport.describe(r.group().first());
            if (by == GroupBy.METHOD && !config.equals("hard labels only")) {
                t.append("\\multicolumn{").append(columns).append("}{p{0.9\\linewidth}}{\\footnotesize\\quad ")
                        .append(escape(config)).append("} \\\\\n");
            }
        }
        t.append("\\bottomrule\n\\end{tabular}\n");
        t.append("\\caption{Sweep \\texttt{").append(escape(sweep)).append("}: mean $\\pm$ sample standard deviation over seeds of the ")
                .append("configuration with the best mean validation accuracy per row")
                .append(by == GroupBy.METHOD ? " (spelt out under it)" : "").append(". ")
                .append(blocks ? "Rows are grouped by setting; bold and the marks are decided within a setting. " : "")
                .append("Bold: best mean in its column among the rows with the most seeds (agreement is not marked: agreeing more with ")
                .append("the teacher is not better in itself). ")
                .append("$^{\\dagger}$/$^{\\downarrow}$: better/worse than the baseline, paired $t$-test on matched seeds, $p < 0.05$.}\n");
        t.append("\\label{tab:kd-").append(escape(sweep).replace("\\_", "-")).append("-").append(by.name().toLowerCase(Locale.ROOT)).append("}\n");
        t.append("\\end{").append(env).append("}\n");
        return t.toString();
    }

    /**
     * Different from its setting's baseline by a paired t-test on matched seeds at {@link #SIGNIFICANCE}, better or worse
     * (the mark says which: a significant loss is flagged as clearly as a win).
     */
    static boolean significant(Row r) {
        ConfigGroup b = r.baseline();
        return b != null && r.group() != b && Statistics.paired(r.group(), b, SweepSummary.REPORT_ON).significant(SIGNIFICANCE);
    }

    /** Whether the row is ahead of its baseline on the matched seeds (the paired difference the test judged, not the means). */
    static boolean better(Row r) {
        return Statistics.paired(r.group(), r.baseline(), SweepSummary.REPORT_ON).meanDiff() > 0;
    }

    /** The Markdown mark of a row: † better, ↓ worse than the baseline (significantly), else nothing. */
    private static String mark(Row r) {
        return !significant(r) ? "" : better(r) ? " †" : " ↓";
    }

    public static String markdown(SweepSummary s, GroupBy by) {
        List<Row> rows = rows(s, by);
        StringBuilder t = new StringBuilder("| ").append(title(by));
        COLUMNS.forEach(c -> t.append(" | ").append(c.title().replace("\\%", "%")));
        t.append(" | Seeds |\n|---").append("|---:".repeat(COLUMNS.size() + 1)).append("|\n");
        for (Row r : rows) {
            String label = r.qualifiedLabel() + (by == GroupBy.METHOD ? " (" + HtmlReport.describe(r.group().first()) + ")" : "");
            t.append("| ").append(label.replace("|", "\\|")).append(mark(r));
            for (Column c : COLUMNS) {
                String cell = cell(r.group(), c).replace("$\\pm$", " ± ");
                t.append(" | ").append(isBest(rows, r, c) ? "**" + cell + "**" : cell);
            }
            t.append(" | ").append(r.group().seeds()).append(" |\n");
        }
        t.append("\nMean ± sample standard deviation over seeds of the best-by-validation configuration per row; bold: best mean")
                .append(" in its column within its setting, among the rows with the most seeds (agreement is not marked);")
                .append(" †/↓: better/worse than the baseline, paired t-test on matched seeds, p < 0.05.\n");
        return t.toString();
    }

    private static String title(GroupBy by) {
        return switch (by) {
            case METHOD -> "Method (best configuration)";
            case MAPPING -> "Mapping";
            case TEMPERATURE -> "Method, temperature";
        };
    }

    static String cell(ConfigGroup g, Column c) {
        Statistics.Summary s = Statistics.summary(g, c.metric());
        if (Double.isNaN(s.mean())) {
            return "--";
        }
        String mean = c.percent() ? String.format(Locale.ROOT, "%.2f", 100 * s.mean()) : String.format(Locale.ROOT, "%.4f", s.mean());
        if (Double.isNaN(s.std())) {
            return mean;
        }
        String std = c.percent() ? String.format(Locale.ROOT, "%.2f", 100 * s.std()) : String.format(Locale.ROOT, "%.4f", s.std());
        return mean + "$\\pm$" + std;
    }

    /**
     * The best mean of its column within its setting, among the rows with the most seeds
     * there (a one-seed row never takes bold from rows measured over several).
     */
    private static boolean isBest(List<Row> rows, Row r, Column c) {
        double v = r.group().mean(c.metric());
        List<Row> block = rows.stream().filter(o -> o.context().equals(r.context())).toList();
        int seeds = block.stream().mapToInt(o -> o.group().seeds()).max().orElse(0);
        if (!c.bold() || Double.isNaN(v) || block.size() < 2 || r.group().seeds() < seeds) {
            return false;
        }
        for (Row o : block) {
            double w = o.group().mean(c.metric());
            if (o.group().seeds() == seeds && !Double.isNaN(w) && (c.higherIsBetter() ? w > v : w < v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Cell text for LaTeX. Brackets are braced: a row starting with {@code [} right after
     * {@code \\} or {@code \midrule} is read as an optional argument (a setting prefix such as
     * {@code [labelled 0.05]} made pdflatex fail or loop).
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '<' && i + 1 < s.length() && s.charAt(i + 1) == '-') {
                b.append("$\\leftarrow$");
                i++;
                continue;
            }
            switch (c) {
                case '\\' -> b.append("\\textbackslash{}");
                case '{', '}', '_', '%', '&', '#', '$' -> b.append('\\').append(c);
                case '^' -> b.append("\\^{}");
                case '~' -> b.append("\\~{}");
                case '[', ']' -> b.append('{').append(c).append('}');
                // long mapping names have no spaces: let a wrapping column break after their separators
                case ',', '+' -> b.append(c).append("\\allowbreak{}");
                case 'α' -> b.append("$\\alpha$");
                case '±' -> b.append("$\\pm$");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
