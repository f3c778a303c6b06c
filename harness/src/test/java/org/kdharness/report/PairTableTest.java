package org.kdharness.report;

import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.Workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table across teacher-student pairs: every number recomputed from the two sweeps' stores, and it compiles. */
class PairTableTest {

    @TempDir
    Path dir;

    private static final String GRID = """
            sweep:
              methods: [baseline, response, feature]
              temperature: [2, 4]
              alpha: [0.5]
              mappings:
                - [{student: 1, teacher: 2}]
              seeds: [1, 2, 3]
            """;

    /** Per variant, the test accuracies of its configuration with the best mean validation accuracy, recomputed here. */
    private static Map<String, double[]> bestByValidation(List<TrialRow> trials) {
        Map<String, Map<String, List<TrialRow>>> byVariant = new LinkedHashMap<>();
        for (TrialRow t : trials) {
            if (t.status().equals("done")) {
                byVariant.computeIfAbsent(t.variant(), k -> new LinkedHashMap<>()).computeIfAbsent(t.configKey(), k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        byVariant.forEach((variant, configs) -> {
            List<TrialRow> best = null;
            double bestVal = Double.NEGATIVE_INFINITY;
            for (List<TrialRow> c : configs.values()) {
                double val = c.stream().mapToDouble(t -> t.metric("val_accuracy")).average().orElseThrow();
                if (val > bestVal) {
                    bestVal = val;
                    best = c;
                }
            }
            out.put(variant, best.stream().mapToDouble(t -> t.metric("test_accuracy")).toArray());
        });
        return out;
    }

    private static String meanStd(double[] v, String pm) {
        DescriptiveStatistics s = new DescriptiveStatistics(v);
        return String.format(Locale.ROOT, "%.2f", 100 * s.getMean()) + pm + String.format(Locale.ROOT, "%.2f", 100 * s.getStandardDeviation());
    }

    @Test
    void everyCellIsTheStoresNumberAndTheTableCompiles() throws Exception {
        Path a = TinySweep.write(dir, "pair-a", GRID);
        Path b = dir.resolve("pair-b.yaml");
        Files.writeString(b, TinySweep.yaml("pair-b", GRID).replace("hidden: [16, 8]", "hidden: [12]"));
        String reports = dir.resolve("reports").toString();
        assertEquals(0, Main.execute("run", a.toString(), "--reports", reports, "--no-report"));
        assertEquals(0, Main.execute("run", b.toString(), "--reports", reports, "--no-report"));

        CliRun.Result latex = CliRun.run("export", a.toString(), b.toString(), "--reports", reports, "--format", "latex");
        assertEquals(0, latex.code(), latex.err());
        CliRun.Result md = CliRun.run("export", a.toString(), b.toString(), "--reports", reports, "--format", "markdown");
        assertEquals(0, md.code(), md.err());
        String[] mdLines = md.out().split("\n");

        List<String> teacherCells = new ArrayList<>();
        List<Map<String, double[]>> best = new ArrayList<>();
        for (String sweep : List.of("pair-a", "pair-b")) {
            try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(Path.of(reports, sweep).toAbsolutePath()))) {
                String key = String.valueOf(store.runs(sweep).get(0).get("teacher_key"));
                double teacher = ((Number) store.teacher(key).orElseThrow().get("test_accuracy")).doubleValue();
                teacherCells.add(String.format(Locale.ROOT, "%.2f", 100 * teacher));
                best.add(bestByValidation(store.trials(sweep)));
            }
        }
        // header: each column's pair, the second student's architecture differs
        assertTrue(latex.out().contains("Student & " + TableExport.escape("mlp[16, 8]") + " & " + TableExport.escape("mlp[12]") + " \\\\"),
                latex.out());
        assertTrue(latex.out().contains("Teacher & " + teacherCells.get(0) + " & " + teacherCells.get(1) + " \\\\"), latex.out());
        for (String variant : best.get(0).keySet()) {
            String label = variant.equals("baseline") ? "Student" : variant;
            String row = mdLines[indexOfRow(mdLines, "| " + label + " |")];
            for (int c = 0; c < 2; c++) {
                String expected = meanStd(best.get(c).get(variant), " ± ");
                assertTrue(row.contains(expected), variant + " column " + c + ": expected " + expected + " in " + row);
                // bold exactly where the column's best mean is
                double mean = new DescriptiveStatistics(best.get(c).get(variant)).getMean();
                int column = c;
                double columnBest = best.get(c).values().stream().mapToDouble(v -> new DescriptiveStatistics(v).getMean()).max().orElseThrow();
                assertEquals(mean == columnBest, row.split("\\|")[2 + column].contains("**"), variant + " column " + c + ": " + row);
            }
            assertTrue(latex.out().contains(TableExport.escape(label) + " & "), label);
        }
        // the student row sits above the methods, the teacher above both
        int teacherRow = latex.out().indexOf("\nTeacher & " + teacherCells.get(0)), studentRow = latex.out().indexOf("\nStudent & ", teacherRow);
        assertTrue(teacherRow > 0 && studentRow > teacherRow && studentRow < latex.out().indexOf("\nresponse & "), latex.out());
        // the Markdown links each column to its sweep's report
        assertTrue(md.out().contains("[pair-a](" + Path.of(reports, "pair-a", "index.html").toAbsolutePath().normalize() + ")"), md.out());
        assertTrue(md.out().contains("[pair-b]("), md.out());
        Pdflatex.compile(dir, "pairs", latex.out());
        CliRun.Result wide = CliRun.run("export", a.toString(), b.toString(), "--reports", reports, "--format", "latex", "--wide");
        Pdflatex.compile(dir, "pairs-wide", "\\twocolumn\n" + wide.out());

        CliRun.Result csv = CliRun.run("export", a.toString(), b.toString(), "--reports", reports);
        assertEquals(2, csv.code());
        assertTrue(csv.err().contains("use latex or markdown"), csv.err());
    }

    @Test
    void daggerAndMissingMethods() {
        // column 1: response beats the baseline on every matched seed (paired t-test p < 0.05); column 2 lacks response
        List<TrialRow> one = new ArrayList<>(StatisticsTest.group("baseline", 0.70, 0.72, 0.71, 0.69).trials());
        one.addAll(StatisticsTest.group("response", 0.75, 0.78, 0.76, 0.74).trials());
        List<TrialRow> two = new ArrayList<>(StatisticsTest.group("baseline", 0.60, 0.61, 0.62, 0.63).trials());
        List<PairTable.Pair> pairs = List.of(
                new PairTable.Pair("one", "t1", "s1", 0.9, SweepSummary.of(one), "one/index.html"),
                new PairTable.Pair("two", "t2", "s2", Double.NaN, SweepSummary.of(two), "two/index.html"));
        String latex = PairTable.latex(pairs, false);
        assertTrue(latex.contains("response & \\textbf{75.75$\\pm$1.71}$^{\\dagger}$ & -- \\\\"), latex);
        assertTrue(latex.contains("Student & 70.50$\\pm$1.29 & 61.50$\\pm$1.29 \\\\"),
                "a lone row is not bold, the baseline never gets a dagger: " + latex);
        assertTrue(latex.contains("Teacher & 90.00 & -- \\\\"), latex);
        String md = PairTable.markdown(pairs);
        assertTrue(md.contains("| response | **75.75 ± 1.71** † | -- |"), md);
    }

    private static int indexOfRow(String[] lines, String start) {
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no row starting " + start + " in\n" + String.join("\n", lines));
    }
}
