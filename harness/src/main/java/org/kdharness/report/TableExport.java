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
 * percent, ECE as a fraction); the best mean of each column is bold; a dagger marks rows
 * significantly better than the baseline (paired t-test on matched seeds, p &lt; 0.05).
 */
public final class TableExport {

    /** How rows are formed. */
    public enum GroupBy { METHOD, MAPPING, TEMPERATURE }

    static final double SIGNIFICANCE = 0.05;

    /**
     * One table row: its label, the configuration it reports, and the baseline of the same
     * setting (student, learning rate, labelled fraction) it is tested against, if any.
     */
    public record Row(String label, ConfigGroup group, ConfigGroup baseline) {
    }

    private record Column(String title, String metric, boolean percent, boolean higherIsBetter) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("Test acc. (\\%)", "test_accuracy", true, true),
            new Column("Agreement (\\%)", "test_teacher_agreement", true, true),
            new Column("ECE", "test_ece", false, false));

    private TableExport() {
    }

    /** Rows for a grouping, each the best-by-validation configuration of its group, per setting. */
    public static List<Row> rows(SweepSummary all, GroupBy by) {
        List<Row> rows = new ArrayList<>();
        all.byContext().forEach((context, s) -> {
            for (Row r : rowsOf(s, by)) {
                rows.add(new Row(context.isEmpty() ? r.label() : "[" + context + "] " + r.label(), r.group(), r.baseline()));
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
                best.merge(k, g, (a, b) -> b.mean(SweepSummary.SELECT_ON) > a.mean(SweepSummary.SELECT_ON) ? b : a);
            }
        }
        List<Row> rows = new ArrayList<>();
        ConfigGroup baseline = s.bestOf("baseline").orElse(null);
        best.forEach((k, g) -> rows.add(new Row(by == GroupBy.METHOD ? k + " (" + HtmlReport.describe(g.first()) + ")" : k, g,
                baseline)));
        if (by == GroupBy.MAPPING) {
            rows.sort(Comparator.comparingDouble((Row r) -> r.group().mean(SweepSummary.REPORT_ON)).reversed());
        }
        return rows;
    }

    public static String latex(SweepSummary s, GroupBy by, String sweep) {
        List<Row> rows = rows(s, by);
        StringBuilder t = new StringBuilder();
        t.append("% kd-harness: sweep ").append(sweep).append(", needs \\usepackage{booktabs}\n");
        t.append("\\begin{table}[t]\n\\centering\n\\begin{tabular}{l").append("r".repeat(COLUMNS.size())).append("r}\n\\toprule\n");
        t.append(escape(title(by)));
        COLUMNS.forEach(c -> t.append(" & ").append(c.title()));
        t.append(" & Seeds \\\\\n\\midrule\n");
        for (Row r : rows) {
            t.append(escape(r.label()));
            if (significant(r)) {
                t.append("$^{\\dagger}$");
            }
            for (Column c : COLUMNS) {
                String cell = cell(r.group(), c);
                t.append(" & ").append(isBest(rows, r, c) ? "\\textbf{" + cell + "}" : cell);
            }
            t.append(" & ").append(r.group().seeds()).append(" \\\\\n");
        }
        t.append("\\bottomrule\n\\end{tabular}\n");
        t.append("\\caption{Sweep \\texttt{").append(escape(sweep)).append("}: mean $\\pm$ sample standard deviation over seeds of the ")
                .append("configuration with the best mean validation accuracy per row. Bold: best mean in its column. ")
                .append("$^{\\dagger}$: better than the baseline, paired $t$-test on matched seeds, $p < 0.05$.}\n");
        t.append("\\label{tab:kd-").append(escape(sweep).replace("\\_", "-")).append("-").append(by.name().toLowerCase(Locale.ROOT)).append("}\n");
        t.append("\\end{table}\n");
        return t.toString();
    }

    /** Better than its setting's baseline by a paired t-test on matched seeds at {@link #SIGNIFICANCE}. */
    static boolean significant(Row r) {
        ConfigGroup b = r.baseline();
        return b != null && r.group() != b && Statistics.paired(r.group(), b, SweepSummary.REPORT_ON).significant(SIGNIFICANCE)
                && r.group().mean(SweepSummary.REPORT_ON) > b.mean(SweepSummary.REPORT_ON);
    }

    public static String markdown(SweepSummary s, GroupBy by) {
        List<Row> rows = rows(s, by);
        StringBuilder t = new StringBuilder("| ").append(title(by));
        COLUMNS.forEach(c -> t.append(" | ").append(c.title().replace("\\%", "%")));
        t.append(" | Seeds |\n|---").append("|---:".repeat(COLUMNS.size() + 1)).append("|\n");
        for (Row r : rows) {
            t.append("| ").append(r.label().replace("|", "\\|")).append(significant(r) ? " †" : "");
            for (Column c : COLUMNS) {
                String cell = cell(r.group(), c).replace("$\\pm$", "±");
                t.append(" | ").append(isBest(rows, r, c) ? "**" + cell + "**" : cell);
            }
            t.append(" | ").append(r.group().seeds()).append(" |\n");
        }
        t.append("\nMean ± sample standard deviation over seeds of the best-by-validation configuration per row; bold: best mean")
                .append(" in its column; †: better than the baseline, paired t-test on matched seeds, p < 0.05.\n");
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
        return mean + " $\\pm$ " + std;
    }

    private static boolean isBest(List<Row> rows, Row r, Column c) {
        double v = r.group().mean(c.metric());
        if (Double.isNaN(v) || rows.size() < 2) {
            return false;
        }
        for (Row o : rows) {
            double w = o.group().mean(c.metric());
            if (!Double.isNaN(w) && (c.higherIsBetter() ? w > v : w < v)) {
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
                case 'α' -> b.append("$\\alpha$");
                case '±' -> b.append("$\\pm$");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
