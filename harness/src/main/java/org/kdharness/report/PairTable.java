package org.kdharness.report;

import org.kdharness.methods.DistillationRegistry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table KD papers print across teacher-student pairs (CRD's Table 1): one column per
 * sweep (one pair each), the teacher's and the plain student's test accuracy on top, then
 * one row per method, each cell the method's best configuration by validation accuracy in
 * that sweep, test accuracy mean ± sample std over seeds.
 *
 * <p>Why a table of its own: a single sweep's table compares methods for one pair; the
 * claim papers make ("method X helps across architectures") is read across columns, and
 * assembling it by hand from several reports is where transcription errors come from. Each
 * column uses its sweep's primary setting (the config's defaults), chosen on validation;
 * bold is the best mean of its column among the student and method rows; the dagger (down arrow) marks
 * a method better (worse) than its column's student baseline by a paired t-test on matched seeds
 * ({@link TableExport#significant}).
 */
public final class PairTable {

    /**
     * One column.
     *
     * @param sweep           the sweep's name
     * @param teacher         the teacher's short model name
     * @param student         the student's short model name
     * @param teacherAccuracy the teacher's test accuracy, NaN when the store has none
     * @param summary         the sweep's trials
     * @param report          where the sweep's HTML report is (for the Markdown links)
     */
    public record Pair(String sweep, String teacher, String student, double teacherAccuracy, SweepSummary summary, String report) {
    }

    /** One method row: per column its best configuration by validation, or null where the sweep did not run it. */
    record MethodRow(String variant, List<ConfigGroup> cells, List<ConfigGroup> baselines) {
    }

    private static final String TEST = SweepSummary.REPORT_ON;

    private PairTable() {
    }

    /** The student row first (the hard-label baseline), then every other variant any sweep ran, in the registry's order. */
    static List<MethodRow> rows(List<Pair> pairs) {
        Map<String, Integer> rank = new LinkedHashMap<>();
        List<SweepSummary> primaries = pairs.stream().map(p -> p.summary().primary()).toList();
        DistillationRegistry registry = DistillationRegistry.standard();
        for (SweepSummary s : primaries) {
            for (String v : s.variants()) {
                ConfigGroup g = s.bestOf(v).orElseThrow();
                int m = registry.methodNames().indexOf(g.method());
                int d = g.first().distance() == null ? -1 : registry.distanceNames().indexOf(g.first().distance());
                rank.putIfAbsent(v, (m < 0 ? 1000 : m) * 1000 + d + 1);
            }
        }
        List<String> variants = new ArrayList<>(rank.keySet());
        variants.sort(Comparator.comparingInt(rank::get));
        List<MethodRow> rows = new ArrayList<>();
        for (String v : variants) {
            List<ConfigGroup> cells = new ArrayList<>(), baselines = new ArrayList<>();
            for (SweepSummary s : primaries) {
                cells.add(s.bestOf(v).orElse(null));
                baselines.add(s.bestOf("baseline").orElse(null));
            }
            rows.add(new MethodRow(v, cells, baselines));
        }
        // the plain student goes on top, as "Student"
        rows.sort(Comparator.comparing((MethodRow r) -> !r.variant().equals("baseline")));
        return rows;
    }

    /** A booktabs table: a column per pair, teacher and student rows above a rule, then the methods. */
    public static String latex(List<Pair> pairs, boolean wide) {
        List<MethodRow> rows = rows(pairs);
        String env = wide ? "table*" : "table";
        StringBuilder t = new StringBuilder("% kd-harness: sweeps ");
        t.append(String.join(", ", pairs.stream().map(Pair::sweep).toList())).append(", needs \\usepackage{booktabs}\n");
        t.append("\\begin{").append(env).append("}[t]\n\\centering\n\\small\n\\setlength{\\tabcolsep}{4pt}\n");
        t.append("\\begin{tabular}{l").append("c".repeat(pairs.size())).append("}\n\\toprule\n");
        t.append("Teacher");
        pairs.forEach(p -> t.append(" & ").append(TableExport.escape(p.teacher())));
        t.append(" \\\\\nStudent");
        pairs.forEach(p -> t.append(" & ").append(TableExport.escape(p.student())));
        t.append(" \\\\\n\\midrule\nTeacher");
        pairs.forEach(p -> t.append(" & ").append(Double.isNaN(p.teacherAccuracy()) ? "--"
                : String.format(Locale.ROOT, "%.2f", 100 * p.teacherAccuracy())));
        t.append(" \\\\\n");
        boolean first = true;
        for (MethodRow r : rows) {
            boolean student = r.variant().equals("baseline");
            if (!student && first) {
                t.append("\\midrule\n");
                first = false;
            }
            t.append(student ? "Student" : TableExport.escape(r.variant()));
            for (int c = 0; c < pairs.size(); c++) {
                t.append(" & ").append(cell(rows, r, c, "$\\pm$", "\\textbf{%s}", "$^{\\dagger}$", "$^{\\downarrow}$"));
            }
            t.append(" \\\\\n");
        }
        t.append("\\bottomrule\n\\end{tabular}\n");
        t.append("\\caption{Test accuracy (\\%) across teacher--student pairs, one sweep per column (")
                .append(String.join(", ", pairs.stream().map(p -> "\\texttt{" + TableExport.escape(p.sweep()) + "}").toList()))
                .append("): mean $\\pm$ sample standard deviation over seeds of each method's configuration with the best mean ")
                .append("validation accuracy, in the sweep's default setting. Bold: best mean of its column below the teacher. ")
                .append("$^{\\dagger}$/$^{\\downarrow}$: better/worse than the student trained on hard labels, paired $t$-test on matched seeds, $p < 0.05$.}\n");
        t.append("\\label{tab:kd-pairs}\n\\end{").append(env).append("}\n");
        return t.toString();
    }

    /** The same table in Markdown, each column's sweep linked to its report. */
    public static String markdown(List<Pair> pairs) {
        List<MethodRow> rows = rows(pairs);
        StringBuilder t = new StringBuilder("| Teacher → student |");
        pairs.forEach(p -> t.append(" ").append(p.teacher()).append(" → ").append(p.student()).append(" |"));
        t.append("\n|---").append("|---:".repeat(pairs.size())).append("|\n| Sweep |");
        pairs.forEach(p -> t.append(" [").append(p.sweep()).append("](").append(p.report()).append(") |"));
        t.append("\n| Teacher |");
        pairs.forEach(p -> t.append(" ").append(Double.isNaN(p.teacherAccuracy()) ? "--"
                : String.format(Locale.ROOT, "%.2f", 100 * p.teacherAccuracy())).append(" |"));
        t.append("\n");
        for (MethodRow r : rows) {
            t.append("| ").append(r.variant().equals("baseline") ? "Student" : r.variant().replace("|", "\\|")).append(" |");
            for (int c = 0; c < pairs.size(); c++) {
                t.append(" ").append(cell(rows, r, c, " ± ", "**%s**", " †", " ↓")).append(" |");
            }
            t.append("\n");
        }
        t.append("\nTest accuracy (%), mean ± sample standard deviation over seeds of each method's best configuration by ")
                .append("validation accuracy in the sweep's default setting; bold: best mean of its column below the teacher; ")
                .append("†/↓: better/worse than the student trained on hard labels, paired t-test on matched seeds, p < 0.05.\n");
        return t.toString();
    }

    /** Row {@code r}'s cell in column {@code c}: "--" where the sweep lacks the method. */
    private static String cell(List<MethodRow> rows, MethodRow r, int c, String pm, String bold, String dagger, String worse) {
        ConfigGroup g = r.cells().get(c);
        if (g == null) {
            return "--";
        }
        Statistics.Summary s = Statistics.summary(g, TEST);
        String text = String.format(Locale.ROOT, "%.2f", 100 * s.mean())
                + (Double.isNaN(s.std()) ? "" : pm + String.format(Locale.ROOT, "%.2f", 100 * s.std()));
        if (isBest(rows, g, c)) {
            text = String.format(Locale.ROOT, bold, text);
        }
        ConfigGroup baseline = r.baselines().get(c);
        boolean differs = !r.variant().equals("baseline")
                && TableExport.significant(new TableExport.Row("", r.variant(), g, baseline));
        return !differs ? text : text + (TableExport.better(new TableExport.Row("", r.variant(), g, baseline)) ? dagger : worse);
    }

    /**
     * The best mean test accuracy of column {@code c} (ties all bold) among its cells with the
     * most seeds, as in the single-sweep table (a cell left with one seed by failures never
     * takes bold from cells measured over several); never on a column of one row.
     */
    private static boolean isBest(List<MethodRow> rows, ConfigGroup g, int c) {
        int seeds = rows.stream().map(r -> r.cells().get(c)).filter(o -> o != null && !Double.isNaN(o.mean(TEST)))
                .mapToInt(ConfigGroup::seeds).max().orElse(0);
        double v = g.mean(TEST), best = Double.NEGATIVE_INFINITY;
        int present = 0;
        for (MethodRow r : rows) {
            ConfigGroup o = r.cells().get(c);
            if (o != null && !Double.isNaN(o.mean(TEST)) && o.seeds() == seeds) {
                best = Math.max(best, o.mean(TEST));
                present++;
            }
        }
        return present > 1 && g.seeds() == seeds && v == best;
    }
}
