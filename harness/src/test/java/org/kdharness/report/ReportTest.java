package org.kdharness.report;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.data.TestPaths;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report and the paper tables say what the store says: numbers are recomputed here
 * from the stored trials and compared with the rendered HTML and LaTeX; degenerate sweeps
 * (failures, one seed) still render; LaTeX compiles and the page renders in Chromium when
 * those tools are installed (CI installs them).
 */
class ReportTest {

    @TempDir
    static Path dir;
    static Path config;
    static String reports;
    static List<TrialRow> trials;

    static final String GRID = """
            sweep:
              methods: [baseline, response, feature]
              temperature: [2, 4]
              alpha: [0.5]
              mappings:
                - [{student: 2, teacher: 2}]
                - [{student: 1, teacher: 1}]
              seeds: [1, 2, 3]
            """;

    @BeforeAll
    static void runSweep() throws Exception {
        // the dataset's family named, as the quickstart names it: the report then names its classes
        config = dir.resolve("rep.yaml");
        Files.writeString(config, TinySweep.yaml("rep", GRID).replace("dataset:\n", "dataset:\n  name: fashion-mnist\n"));
        reports = dir.resolve("reports").toString();
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports));
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/rep/metrics").toAbsolutePath())) {
            trials = store.trials("rep");
        }
    }

    /** Mean and std (percent, 2 decimals) of the best-by-validation configuration of a method, from the raw rows. */
    private String expectedCell(String method) {
        return bestCell(trials.stream().filter(t -> t.method().equals(method)).toList());
    }

    /**
     * Mean ± std (percent, 2 decimals) of test accuracy of the configuration (same settings,
     * seeds apart) with the best mean validation accuracy among {@code rows}; among equal means, as the report breaks
     * ties: fewer trained parameters (student and projections), then the lower temperature, then the first in plan order.
     */
    static String bestCell(List<TrialRow> rows) {
        java.util.Map<String, List<TrialRow>> byConfig = new java.util.LinkedHashMap<>();
        rows.forEach(t -> byConfig.computeIfAbsent(t.configKey(), k -> new java.util.ArrayList<>()).add(t));
        List<TrialRow> best = null;
        double[] bestKey = null;
        for (List<TrialRow> g : byConfig.values()) {
            double v = g.stream().mapToDouble(t -> t.metric("val_accuracy")).average().orElseThrow();
            double params = g.stream().mapToDouble(t -> t.metric("student_params")
                    + (Double.isNaN(t.metric("projection_params")) ? 0 : t.metric("projection_params"))).average().orElseThrow();
            double temperature = g.get(0).temperature() == null ? Double.MAX_VALUE : g.get(0).temperature();
            double[] key = {-v, params, temperature};
            if (bestKey == null || java.util.Arrays.compare(key, bestKey) < 0) {
                bestKey = key;
                best = g;
            }
        }
        double[] acc = best.stream().mapToDouble(t -> t.metric("test_accuracy")).toArray();
        double mean = java.util.Arrays.stream(acc).average().orElseThrow();
        double var = java.util.Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum() / (acc.length - 1);
        return String.format(Locale.ROOT, "%.2f ± %.2f", 100 * mean, 100 * Math.sqrt(var));
    }

    @Test
    void recordedObjectiveIsTheFormulasWithoutTheSoftTermsConstant() {
        // train_loss = alpha CE + (1 - alpha) T^2 KL (response), + w1 Loss1 with w2 on the response (feature):
        // recomputed from the recorded unweighted terms of the kept epoch; it once carried T^2 H(p_t) too
        int checked = 0;
        for (TrialRow t : trials) {
            if (t.method().equals("baseline")) {
                continue;
            }
            double a = t.alpha(), temp = t.temperature();
            double response = a * t.metric("final_train_hard_ce") + (1 - a) * temp * temp * t.metric("final_train_soft_kl");
            double expected = t.method().equals("response") ? response
                    : t.wFeature() * t.metric("final_train_feature_loss1") + t.wResponse() * response;
            assertEquals(expected, t.metric("final_train_loss"), 1e-4 * Math.max(1, Math.abs(expected)), t.trialId() + " " + t.method());
            checked++;
        }
        assertTrue(checked >= 6, "response and feature trials checked: " + checked);
    }

    @Test
    void aTeacherWeakerThanTheBaselineIsFlagged() throws Exception {
        // a barely trained teacher (one epoch at a tiny learning rate) against a baseline trained for three
        Path weak = dir.resolve("weak.yaml");
        Files.writeString(weak, TinySweep.yaml("weak", """
                sweep:
                  methods: [baseline, response]
                  temperature: [4]
                  alpha: [0.5]
                  seeds: [1]
                """).replace("training: {epochs: 2, batch_size: 64, seed: 3}", "training: {epochs: 1, batch_size: 64, seed: 3, learning_rate: 0.000001}")
                .replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 3, batch_size: 64}"));
        assertEquals(0, Main.execute("run", weak.toString(), "--reports", reports));
        String html = Files.readString(dir.resolve("reports/weak/index.html"));
        assertTrue(html.contains("id=\"teacher-warning\"") && html.contains("is less accurate than the baseline student"),
                html.substring(html.indexOf("Teacher test accuracy"), html.indexOf("Teacher test accuracy") + 300));
        assertTrue(!Files.readString(dir.resolve("reports/rep/index.html")).contains("teacher-warning"), "no warning for a good teacher");
    }

    @Test
    void perSettingSectionsNameTheSettingTheyShow() throws Exception {
        // the labelled 0.5 trials come first in plan order; the sections show the config defaults (fully labelled)
        Path cfg = TinySweep.write(dir, "frac", """
                sweep:
                  methods: [feature]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - [{student: 2, teacher: 2}]
                    - [{student: 1, teacher: 1}]
                  labelled_fraction: [0.5, 1.0]
                  seeds: [1, 2]
                """);
        assertEquals(0, Main.execute("run", cfg.toString(), "--reports", reports));
        String html = Files.readString(dir.resolve("reports/frac/index.html"));
        for (String heading : List.of("Mapping leaderboard", "Learning curves", "Per-class test accuracy (%)")) {
            assertTrue(html.contains("<h2>" + heading + " (config defaults)</h2>"), heading + " names the setting it shows");
        }
        List<TrialRow> rows;
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/frac/metrics").toAbsolutePath())) {
            rows = store.trials("frac");
        }
        // the leaderboard's first row: the defaults' mapping whose (single) configuration has the best test mean
        java.util.Map<String, List<TrialRow>> byMapping = new java.util.LinkedHashMap<>();
        rows.stream().filter(t -> t.labelledFraction() == null).forEach(t -> byMapping.computeIfAbsent(t.mapping(), k -> new java.util.ArrayList<>()).add(t));
        List<TrialRow> top = byMapping.values().stream().max(java.util.Comparator.comparingDouble(
                (List<TrialRow> g) -> g.stream().mapToDouble(t -> t.metric("test_accuracy")).average().orElseThrow())).orElseThrow();
        Matcher m = Pattern.compile("<table id=\"leaderboard\">.*?<td class=\"num test\">([^<]+)</td>", Pattern.DOTALL).matcher(html);
        assertTrue(m.find());
        assertEquals(bestCell(top), m.group(1), "the defaults' numbers");
    }

    @Test
    void everySettingOfStudentLearningRateAndOptimiserHasItsOwnHeadlineFromTheStore() throws Exception {
        Path cfg = TinySweep.write(dir, "lropt", """
                sweep:
                  methods: [baseline, response]
                  temperature: [2, 4]
                  alpha: [0.5, 0.9]
                  students:
                    - {type: mlp, hidden: [16, 8]}
                    - {type: mlp, hidden: [12]}
                  learning_rate: [0.001, 0.003]
                  optimiser: [adam, sgd]
                  seeds: [1, 2]
                """);
        assertEquals(0, Main.execute("run", cfg.toString(), "--reports", reports));
        String html = Files.readString(dir.resolve("reports/lropt/index.html"));
        List<TrialRow> rows;
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/lropt/metrics").toAbsolutePath())) {
            rows = store.trials("lropt");
        }
        java.util.Map<String, List<TrialRow>> byContext = new java.util.LinkedHashMap<>();
        rows.forEach(t -> byContext.computeIfAbsent(t.context(), k -> new java.util.ArrayList<>()).add(t));
        assertEquals(8, byContext.size(), byContext.keySet().toString());
        for (java.util.Map.Entry<String, List<TrialRow>> ctx : byContext.entrySet()) {
            int at = html.indexOf("<h3>" + ctx.getKey() + "</h3>");
            assertTrue(at >= 0, "a headline for " + ctx.getKey());
            String part = html.substring(at, html.indexOf("</table>", at));
            for (String method : List.of("baseline", "response")) {
                // that setting's best-by-validation configuration of the method, recomputed here
                String expected = bestCell(ctx.getValue().stream().filter(t -> t.method().equals(method)).toList());
                Matcher m = Pattern.compile("<tr data-method=\"" + method + "\">.*?<td class=\"num test\">([^<]+)</td>", Pattern.DOTALL)
                        .matcher(part);
                assertTrue(m.find(), method + " in " + ctx.getKey());
                assertEquals(expected, m.group(1), method + " in " + ctx.getKey());
            }
        }
        // no trial runs the config's defaults here: the per-setting sections show the first setting and say so
        String first = byContext.keySet().iterator().next();
        int heat = html.indexOf("<h2>Where it works: temperature, α and loss weights (" + first + ")</h2>");
        assertTrue(heat >= 0, "the T x α heatmap stays, labelled");
        // its cells: 100 x mean test accuracy of that setting's response configuration at each (T, α)
        String svg = html.substring(heat, html.indexOf("</div>", heat));
        for (double temp : new double[]{2, 4}) {
            for (double alpha : new double[]{0.5, 0.9}) {
                double mean = byContext.get(first).stream().filter(t -> t.method().equals("response") && t.temperature() == temp
                        && t.alpha() == alpha).mapToDouble(t -> t.metric("test_accuracy")).average().orElseThrow();
                String cell = String.format(Locale.ROOT, "%.2f", 100 * mean);
                assertTrue(svg.contains(">" + cell + "<"), "cell T=" + temp + " α=" + alpha + " = " + cell);
            }
        }
    }

    @Test
    void htmlHeadlineEqualsStore() throws Exception {
        String html = Files.readString(dir.resolve("reports/rep/index.html"));
        for (String method : List.of("baseline", "response", "feature")) {
            String variant = method.equals("feature") ? "feature (mse)" : method;
            Matcher m = Pattern.compile("<tr data-method=\"" + Pattern.quote(variant) + "\">.*?<td class=\"num test\">([^<]+)</td>", Pattern.DOTALL).matcher(html);
            assertTrue(m.find(), method);
            assertEquals(expectedCell(method), m.group(1), method);
        }
        assertTrue(html.contains("id=\"comparisons\""));
        // three seeds: what the exact test can reach is said, and d_z is not shown as if it meant something
        assertTrue(html.contains("Each comparison rests on 3 matched seeds. With 3 pairs the exact Wilcoxon test cannot give p below 0.250"),
                html.substring(html.indexOf("id=\"comparisons\"")));
        Matcher row = Pattern.compile("<td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td></tr>").matcher(
                html.substring(html.indexOf("id=\"comparisons\"")));
        assertTrue(row.find(), "a comparison row");
        assertEquals("0.250", row.group(1), "the smallest possible p of 3 pairs");
        assertEquals("omitted (3 pairs)", row.group(2), "d_z omitted");
        assertTrue(html.contains("<svg"), "charts are inline SVG");
        // the verdict opens the page, before the headline table, and names the method with the best test mean
        int verdict = html.indexOf("<p id=\"verdict-text\">");
        assertTrue(verdict > 0 && verdict < html.indexOf("id=\"headline-table\""), "the verdict comes first");
        String winner = List.of("baseline", "response", "feature").stream().max(java.util.Comparator.comparingDouble(m -> Double.parseDouble(
                expectedCell(m).split(" ")[0]))).orElseThrow();
        String named = (winner.equals("feature") ? "feature (mse)" : winner);
        assertTrue(html.startsWith(Character.toUpperCase(named.charAt(0)) + named.substring(1) + " reached the highest test accuracy", verdict
                + "<p id=\"verdict-text\">".length()), html.substring(verdict, verdict + 300));
        assertTrue(html.contains("id=\"leaderboard\""));
        assertTrue(html.contains("What temperature reveals"));
        // Fashion-MNIST's classes by name; timing on an axis of its own, never among the loss terms; the heatmaps on one
        // colour scale with one legend; validation accuracy in percent
        assertTrue(html.contains("<td class=\"num\">T-shirt/top</td>") && html.contains("<td class=\"num\">Ankle boot</td>"), "class names");
        assertTrue(html.contains("Seconds per epoch in training steps") && !html.contains("step_seconds"), "timing apart from the loss terms");
        String heatmaps = html.substring(html.indexOf("<h2>Where it works"), html.indexOf("</div>", html.indexOf("<h2>Where it works")));
        assertTrue(heatmaps.split("<svg", -1).length - 1 >= 2, "several heatmap panels");
        // the legend's ticks are percentages with one decimal (cells have two; the axes' T and α are below 10): in one panel only
        assertEquals(1, java.util.Arrays.stream(heatmaps.split("<svg")).skip(1)
                .filter(svg -> Pattern.compile(">\\d{2,3}\\.\\d</text>").matcher(svg).find()).count(), "one legend for every panel");
        int curves = html.indexOf("Validation accuracy per epoch");
        String valChart = html.substring(curves, html.indexOf("</svg>", curves));
        assertTrue(Pattern.compile(">\\d{2}(\\.\\d+)?</text>").matcher(valChart).find() && !valChart.contains(">0.8</text>"),
                "validation curves in percent (ticks such as 80, not 0.8)");
        assertTrue(!html.contains("<script") && !Pattern.compile("(src|href)=\"https?:").matcher(html).find(),
                "self-contained: no scripts, no external resources");
    }

    private String export(String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "export";
        args[1] = config.toString();
        args[2] = "--reports";
        args[3] = reports;
        System.arraycopy(extra, 0, args, 4, extra.length);
        CliRun.Result r = CliRun.run(args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @Test
    void latexAndMarkdownEqualStore() throws Exception {
        String latex = export("--format", "latex");
        String md = export("--format", "markdown");
        for (String method : List.of("baseline", "response", "feature")) {
            String cell = expectedCell(method);
            assertTrue(latex.contains(cell.replace(" ± ", "$\\pm$")), method + " in\n" + latex);
            assertTrue(md.contains(cell), method + " in\n" + md);
        }
        assertTrue(latex.contains("\\toprule") && latex.contains("\\textbf{"), latex);
        String byMapping = export("--format", "latex", "--group-by", "mapping");
        assertTrue(byMapping.contains("s2$\\leftarrow$t2") && byMapping.contains("s1$\\leftarrow$t1"), byMapping);
        Pdflatex.compile(dir, "table", latex + byMapping + export("--format", "latex", "--group-by", "temperature"));
    }

    @Test
    void failedTrialsAndSingleSeedRender() throws Exception {
        Path bad = dir.resolve("single.yaml");
        Files.writeString(bad, TinySweep.yaml("single", """
                sweep:
                  methods: [baseline, response]
                  temperature: [1.0e-38, 2]
                  alpha: [0.5]
                  seeds: [1]
                """));
        assertEquals(3, Main.execute("run", bad.toString(), "--reports", reports));
        String html = Files.readString(dir.resolve("reports/single/index.html"));
        assertTrue(html.contains("Failed trials") && html.contains("non-finite"), "failure reasons listed");
        // a failed trial is shown with its method and settings, not only its id
        assertTrue(Pattern.compile("<tr class=\"failed\"><td><code>\\w+</code></td><td>response</td><td>T=1.00000e-38, α=0.5</td>")
                .matcher(html).find(), html.substring(html.indexOf("Failed trials")));
        Matcher m = Pattern.compile("<tr data-method=\"baseline\">.*?<td class=\"num test\">([^<]+)</td><td class=\"num\">([^<]+)</td>",
                Pattern.DOTALL).matcher(html);
        assertTrue(m.find());
        assertTrue(m.group(1).matches("\\d+\\.\\d\\d"), "one seed: mean without ± " + m.group(1));
        assertEquals("–", m.group(2), "one seed: no interval");
    }

    @Test
    void rendersInHeadlessChromiumWithScreenshot() throws Exception {
        requireOrSkip("chromium");
        Path script = TestPaths.repo().resolve("harness/scripts/screenshot-report");
        Path png = dir.resolve("headline.png");
        Process p = new ProcessBuilder("bash", script.toString(), dir.resolve("reports/rep/index.html").toString(), png.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        byte[] head = Files.readAllBytes(png);
        assertTrue(head.length > 10_000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG screenshot");
    }

    /** Skips on a developer machine without the tool; in CI (which installs it) its absence fails. */
    static void requireOrSkip(String tool) {
        if (System.getenv("CI") != null) {
            assertTrue(onPath(tool), tool + " must be installed in CI (.ci/run installs it)");
        }
        Assumptions.assumeTrue(onPath(tool), tool + " not installed: check skipped");
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
