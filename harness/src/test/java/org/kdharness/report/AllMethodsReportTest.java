package org.kdharness.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every registered method and distance, old and new, runs end to end in one sweep and
 * appears in the report's headline (with the number the store gives), its paired
 * comparisons and the LaTeX export, which compiles.
 */
class AllMethodsReportTest {

    @TempDir
    Path dir;

    /** What the report compares, one per registered method and vector distance. */
    static final List<String> VARIANTS = DistillationRegistry.standard().exampleTrials(null).stream()
            .map(t -> t.distance() == null ? t.method().name() : t.method().name() + " (" + t.distance().name() + ")").toList();

    @Test
    void everyMethodRunsAndIsReported() throws Exception {
        DistillationRegistry registry = DistillationRegistry.standard();
        List<String> distances = registry.distanceNames().stream().filter(d -> !registry.distance(d).mapsOnly()).toList();
        Path config = TinySweep.write(dir, "all", """
                sweep:
                  methods: %s
                  temperature: [4]
                  alpha: [0.5]
                  distance: %s
                  mappings:
                    - [{student: 2, teacher: 2}]
                  seeds: [1, 2]
                """.formatted(registry.methodNames(), distances));
        String reports = dir.resolve("reports").toString();
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports));
        List<TrialRow> trials;
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/all/metrics").toAbsolutePath())) {
            trials = store.trials("all");
        }
        assertEquals(2 * VARIANTS.size(), trials.size());
        for (TrialRow t : trials) {
            assertEquals("done", t.status(), t.trialId() + " " + t.reason());
            // every method trains on the layer engine (a tap loss too, its gradient by SameDiff on the taps alone)
            assertEquals("layers", t.provenance().engine(), t.variant());
            if (t.method().equals("association")) {
                // TinySweep's MLPs: two student and two teacher hidden layers; each student layer's attention sums to 1
                for (int l = 1; l <= 2; l++) {
                    double mass = t.metric("val_association_s" + l + "_t1") + t.metric("val_association_s" + l + "_t2");
                    assertEquals(1.0, mass, 1e-5, t.variant() + " student layer " + l);
                }
            }
        }

        String html = Files.readString(dir.resolve("reports/all/index.html"));
        for (String v : VARIANTS) {
            Matcher m = Pattern.compile("<tr data-method=\"" + Pattern.quote(v) + "\">.*?<td class=\"num test\">([^<]+)</td>",
                    Pattern.DOTALL).matcher(html);
            assertTrue(m.find(), v + " in the headline");
            assertEquals(cell(trials, v), m.group(1), v);
        }
        Matcher comparisons = Pattern.compile("<table id=\"comparisons\">(.*?)</table>", Pattern.DOTALL).matcher(html);
        assertTrue(comparisons.find());
        int rows = comparisons.group(1).split("<tr").length - 2; // minus the text before the first row and the header
        assertEquals(VARIANTS.size() * (VARIANTS.size() - 1) / 2, rows, "every pair of methods is compared");

        CliRun.Result latex = CliRun.run("export", config.toString(), "--reports", reports, "--format", "latex");
        assertEquals(0, latex.code(), latex.err());
        for (String v : VARIANTS) {
            assertTrue(latex.out().contains(v.replace("_", "\\_")), v + " in\n" + latex.out());
        }
        Pdflatex.compile(dir, "all", latex.out());
    }

    /** Mean ± std (percent) of a variant's test accuracy over its seeds (one configuration per variant here). */
    private static String cell(List<TrialRow> trials, String variant) {
        double[] acc = trials.stream().filter(t -> t.variant().equals(variant)).mapToDouble(t -> t.metric("test_accuracy")).toArray();
        double mean = java.util.Arrays.stream(acc).average().orElseThrow();
        double var = java.util.Arrays.stream(acc).map(a -> (a - mean) * (a - mean)).sum() / (acc.length - 1);
        return String.format(Locale.ROOT, "%.2f ± %.2f", 100 * mean, 100 * Math.sqrt(var));
    }
}
