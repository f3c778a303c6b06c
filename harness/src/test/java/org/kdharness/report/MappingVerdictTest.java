package org.kdharness.report;

import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.inference.TTest;
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
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Which layers to map" on a real sweep with the controls: every number recomputed from the store. */
class MappingVerdictTest {

    @TempDir
    Path dir;

    private static String meanStd(double[] v) {
        DescriptiveStatistics s = new DescriptiveStatistics(v);
        return String.format(Locale.ROOT, "%.2f ± %.2f", 100 * s.getMean(), 100 * s.getStandardDeviation());
    }

    /** Per mapping, the trials of its best configuration by mean validation accuracy (one configuration per mapping here). */
    private static Map<String, List<TrialRow>> byMapping(List<TrialRow> trials) {
        Map<String, List<TrialRow>> out = new LinkedHashMap<>();
        trials.stream().filter(t -> t.mapping() != null && t.status().equals("done"))
                .forEach(t -> out.computeIfAbsent(t.mapping(), k -> new ArrayList<>()).add(t));
        return out;
    }

    private static double meanVal(List<TrialRow> ts) {
        return ts.stream().mapToDouble(t -> t.metric("val_accuracy")).average().orElseThrow();
    }

    private static double[] tests(List<TrialRow> ts) {
        return ts.stream().sorted(java.util.Comparator.comparingLong(TrialRow::seed)).mapToDouble(t -> t.metric("test_accuracy")).toArray();
    }

    private static String row(String md, String label) {
        return md.lines().filter(l -> l.startsWith("| " + label + " |")).findFirst().orElseThrow(() -> new AssertionError(label + " in\n" + md));
    }

    @Test
    void theControlsAndTheOracleAreTheStoresNumbers() throws Exception {
        Path config = dir.resolve("choice.yaml");
        Files.writeString(config, TinySweep.yaml("choice", """
                sweep:
                  methods: [response, feature, association]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - {generator: all-one-to-one}
                    - {generator: cka-top-k, k: 1}
                    - {generator: random, k: 2, seed: 3}
                    - {generator: reverse}
                  seeds: [1, 2, 3]
                """).replace("hidden: [48, 32]", "hidden: [48, 40, 32, 24]"));
        String reports = dir.resolve("reports").toString();
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports));
        CliRun.Result md = CliRun.run("export", config.toString(), "--reports", reports, "--format", "markdown", "--group-by", "choice");
        assertEquals(0, md.code(), md.err());

        List<TrialRow> trials;
        try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(Path.of(reports, "choice").toAbsolutePath()))) {
            trials = store.trials("choice");
        }
        Map<String, List<TrialRow>> mappings = byMapping(trials);
        // the known layer pair: a 4-layer teacher onto a 2-layer student
        String reverse = "s1<-t4,s2<-t2", uniform = "s1<-t2,s2<-t4";
        assertTrue(mappings.containsKey(reverse) && mappings.containsKey(uniform), mappings.keySet().toString());
        List<String> drawn = org.kdharness.config.MappingGenerator.generate("random", 2, 4, 0, 1.0, 2, 3).stream()
                .map(org.kdharness.config.LayerMapping::name).toList();

        // the oracle's grid: every mapping but the control-only reverse one (the random draws are one-to-one mappings too)
        Map<String, List<TrialRow>> grid = new LinkedHashMap<>(mappings);
        grid.remove(reverse);
        assertEquals(6, grid.size(), grid.keySet().toString());
        List<TrialRow> oracle = grid.values().stream().max(java.util.Comparator.comparingDouble(MappingVerdictTest::meanVal)).orElseThrow();
        String oracleRow = row(md.out(), "grid's best mapping (oracle, chosen on validation)");
        assertTrue(oracleRow.contains("| " + meanStd(tests(oracle)) + " | 3 | – |"), oracleRow);
        int gridEpochs = grid.values().stream().flatMap(List::stream).mapToInt(TrialRow::epochs).sum();
        assertTrue(oracleRow.contains("| " + gridEpochs + " |") && oracleRow.contains("6 mappings trained"),
                "the oracle paid for every mapping of its grid: " + oracleRow);
        // one reverse mapping over 3 seeds of 1 epoch; a random choice costs one draw
        assertTrue(row(md.out(), "reverse").contains("| 3 | s1<-t4,s2<-t2 |"), row(md.out(), "reverse"));
        assertTrue(row(md.out(), "random (mean over draws)").contains("| 3 | 2 draws (cost: one draw): "), md.out());

        String reverseRow = row(md.out(), "reverse");
        assertTrue(reverseRow.contains("| " + meanStd(tests(mappings.get(reverse))) + " | 3 |"), reverseRow);
        double p = new TTest().pairedTTest(tests(mappings.get(reverse)), tests(oracle));
        if (mappings.get(reverse) != oracle) {
            assertTrue(reverseRow.contains(ReportSections.pValue(p)), "paired against the oracle on matched seeds: " + reverseRow);
        }

        // random: per seed, the mean over the draws (a draw that is also uniform's mapping counts as a draw)
        List<String> randomOnly = drawn;
        Map<Long, List<Double>> perSeed = new TreeMap<>();
        for (String m : randomOnly) {
            mappings.get(m).forEach(t -> perSeed.computeIfAbsent(t.seed(), k -> new ArrayList<>()).add(t.metric("test_accuracy")));
        }
        double[] randomMeans = perSeed.values().stream().mapToDouble(v -> v.stream().mapToDouble(Double::doubleValue).average().orElseThrow()).toArray();
        String randomRow = row(md.out(), "random (mean over draws)");
        assertTrue(randomRow.contains("| " + meanStd(randomMeans) + " | 3 |"), randomRow + " vs draws " + randomOnly);

        List<TrialRow> response = trials.stream().filter(t -> t.method().equals("response")).toList();
        assertTrue(row(md.out(), "response only (no mapping)").contains("| " + meanStd(tests(response)) + " | 3 |"), md.out());
        // the learned association: its one configuration's seeds, paired against response-only, its own trials' epochs,
        // and per student layer the teacher layer its mean validation attention favours
        List<TrialRow> learned = trials.stream().filter(t -> t.method().equals("association")).toList();
        assertEquals(3, learned.size());
        String learnedRow = row(md.out(), "learned association (SemCKD-style)");
        assertTrue(learnedRow.contains("| " + meanStd(tests(learned)) + " | 3 |"), learnedRow);
        assertTrue(learnedRow.contains(ReportSections.pValue(new TTest().pairedTTest(tests(learned), tests(response)))), learnedRow);
        assertTrue(learnedRow.contains("| " + learned.stream().mapToInt(TrialRow::epochs).sum() + " | learned "), learnedRow);
        StringBuilder choice = new StringBuilder();
        double[][] mean = new double[2][4];
        for (int l = 1; l <= 2; l++) {
            int best = 1;
            for (int j = 1; j <= 4; j++) {
                String name = "val_association_s" + l + "_t" + j;
                mean[l - 1][j - 1] = learned.stream().mapToDouble(t -> t.metric(name)).average().orElseThrow();
                best = mean[l - 1][j - 1] > mean[l - 1][best - 1] ? j : best;
            }
            choice.append(l == 1 ? "" : ", ").append(String.format(Locale.ROOT, "s%d \u2190 t%d (%.2f)", l, best, mean[l - 1][best - 1]));
        }
        assertTrue(learnedRow.contains(choice), learnedRow + " vs " + choice);
        // CKA's top-1, as MappingAdvisor ranks the stored matrix, with its own trials' numbers
        try (MetricsStore store = MetricsStore.open(Workspace.defaultStore(Path.of(reports, "choice").toAbsolutePath()))) {
            double[][] matrix = store.cka("choice").get("mlp[16, 8]");
            String top = org.kdharness.advise.MappingAdvisor.rank(matrix).get(0).getKey().name();
            String ckaRow = row(md.out(), "CKA top-1");
            assertTrue(ckaRow.contains("| " + meanStd(tests(mappings.get(top))) + " | 3 |") && ckaRow.contains(top), ckaRow + " vs " + top);
        }

        // the same section in the report, and the LaTeX compiles
        String html = Files.readString(Path.of(reports, "choice", "index.html"));
        assertTrue(html.contains("Which layers to map") && html.contains(meanStd(tests(mappings.get(reverse)))), "the report shows it");
        java.util.regex.Matcher heatmap = java.util.regex.Pattern.compile("<div class=\"charts\" id=\"association\">(.*?)</div>",
                java.util.regex.Pattern.DOTALL).matcher(html);
        assertTrue(heatmap.find(), "the association heatmap is in the report");
        for (double[] r : mean) {
            for (double w : r) {
                assertTrue(heatmap.group(1).contains(">" + String.format(Locale.ROOT, "%.2f", w) + "<"), "cell " + w + " drawn");
            }
        }
        CliRun.Result latex = CliRun.run("export", config.toString(), "--reports", reports, "--format", "latex", "--group-by", "choice");
        assertEquals(0, latex.code(), latex.err());
        Pdflatex.compile(dir, "choice", latex.out());
    }
}
