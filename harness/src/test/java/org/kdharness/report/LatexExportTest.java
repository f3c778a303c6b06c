package org.kdharness.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LaTeX cell text is escaped, and every grouping of a sweep with setting axes compiles. */
class LatexExportTest {

    @TempDir
    Path dir;

    @Test
    void specialCharactersAreEscaped() {
        assertEquals("{[}labelled 0.05{]} rkd\\_distance 5\\% a\\&b \\#1 \\{x\\} \\$ \\^{} \\~{} \\textbackslash{} s2$\\leftarrow$t1",
                TableExport.escape("[labelled 0.05] rkd_distance 5% a&b #1 {x} $ ^ ~ \\ s2<-t1"));
    }

    @Test
    void settingAxesCompileInEveryGrouping() throws Exception {
        // settings once began rows ("[student mlp[16, 8], labelled 0.5] ...") right after \\ or \midrule
        Path config = TinySweep.write(dir, "axes", """
                sweep:
                  methods: [baseline, response, relation]
                  temperature: [4]
                  alpha: [0.5]
                  distance: [rkd_distance]
                  mappings:
                    - [{student: 2, teacher: [1, 2]}]
                  labelled_fraction: [0.5, 1.0]
                  students:
                    - {type: mlp, hidden: [16, 8]}
                  learning_rate: [0.001]
                  optimiser: [adam, sgd]
                  seeds: [1, 2]
                """);
        String reports = dir.resolve("reports").toString();
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports, "--no-report"));
        for (String by : List.of("method", "mapping", "temperature")) {
            CliRun.Result r = CliRun.run("export", config.toString(), "--reports", reports, "--format", "latex", "--group-by", by);
            assertEquals(0, r.code(), r.err());
            // settings are blocks under their own heading row, not row prefixes; all four setting axes at once
            assertTrue(r.out().contains("\\multicolumn{5}{p{0.9\\linewidth}}{\\emph{student mlp{[}16,\\allowbreak{} 8{]},\\allowbreak{}"
                    + " lr 0.001,\\allowbreak{} labelled 0.5,\\allowbreak{} optimiser sgd}} \\\\\n\\cmidrule(l){1-5}"), by + ":\n" + r.out());
            if (by.equals("mapping")) {
                assertTrue(r.out().contains("baseline (no mapping)"), "the mapping table has the baseline to compare against");
            }
            Pdflatex.compile(dir, "axes-" + by, r.out());
        }
        // two-column papers: table* compiles too
        CliRun.Result wide = CliRun.run("export", config.toString(), "--reports", reports, "--format", "latex", "--wide");
        assertTrue(wide.out().contains("\\begin{table*}"), wide.out());
        Pdflatex.compile(dir, "axes-wide", "\\twocolumn\n" + wide.out());
        // every character the escaping handles, as a table cell, compiles
        String special = TableExport.escape("a_b 5% c&d #1 {x} $ ^ ~ \\ [s] s1<-t1+t2,s2<-t2 α ±");
        Pdflatex.compile(dir, "escape", "\\begin{tabular}{p{0.4\\linewidth}}\n" + special + " \\\\\n\\end{tabular}\n");
    }

    @Test
    void boldIsDecidedAmongTheRowsWithTheMostSeeds() {
        // "b" has the higher mean but a single seed; "a" was measured over two
        List<org.kdharness.store.TrialRow> trials = new java.util.ArrayList<>(StatisticsTest.group("a", 0.80, 0.82).trials());
        trials.addAll(StatisticsTest.group("b", 0.95).trials());
        String latex = TableExport.latex(SweepSummary.of(trials), TableExport.GroupBy.METHOD, "bold");
        assertTrue(latex.contains("\\textbf{81.00$\\pm$1.41}"), latex);
        assertTrue(!latex.contains("\\textbf{95.00"), "a one-seed row does not take bold: " + latex);
        assertTrue(latex.contains("among the rows with the most seeds"), "the caption says so");
        assertTrue(TableExport.latex(SweepSummary.of(trials), TableExport.GroupBy.METHOD, "bold", true).contains("\\begin{table*}"));
    }
}
