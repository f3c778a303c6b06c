package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.config.ConfigException;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.methods.Dkd;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;
import org.kdharness.sweep.SweepPlan;
import org.kdharness.sweep.Trial;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kdharness.distill.TermGradientTest.LABELS;
import static org.kdharness.distill.TermGradientTest.LOGITS;
import static org.kdharness.distill.TermGradientTest.N;
import static org.kdharness.distill.TermGradientTest.C;
import static org.kdharness.distill.TermGradientTest.Y;
import static org.kdharness.distill.TermGradientTest.gaussian;
import static org.kdharness.distill.TermGradientTest.graphValue;
import static org.kdharness.distill.TermGradientTest.rows;

/**
 * Decoupled KD: its value against mdistiller's definition on explicit distributions, and
 * its own sweep axes ({@code dkd_alpha}, {@code dkd_beta}) through validation, expansion,
 * training and the store. Its hand gradient and finite differences are checked with every
 * registered logit term in {@link TermGradientTest}.
 */
class DkdTest {

    @TempDir
    Path dir;

    /**
     * mdistiller's DKD on explicit distributions: TCKD = KL([p_gt, 1 - p_gt]) and NCKD = KL over the
     * non-target classes renormalised, both times T^2, mean over rows; alpha TCKD + beta NCKD.
     */
    static double dkdReference(double[][] zs, double[][] zt, int[] y, double temp, double alpha, double beta) {
        double sum = 0;
        for (int i = 0; i < zs.length; i++) {
            double[] ps = SoftTargets.softmax(zs[i], temp), pt = SoftTargets.softmax(zt[i], temp);
            int g = y[i];
            double tckd = SoftTargets.kl(new double[]{pt[g], 1 - pt[g]}, new double[]{ps[g], 1 - ps[g]});
            double[] qs = new double[ps.length - 1], qt = new double[ps.length - 1];
            for (int c = 0, k = 0; c < ps.length; c++) {
                if (c != g) {
                    qs[k] = ps[c] / (1 - ps[g]);
                    qt[k++] = pt[c] / (1 - pt[g]);
                }
            }
            sum += alpha * tckd + beta * SoftTargets.kl(qt, qs);
        }
        return temp * temp * sum / zs.length;
    }

    @Test
    void equalsMdistillersDefinition() {
        INDArray zt = gaussian(12, N, C, 3.0);
        for (double[] ab : new double[][]{{1.0, 8.0}, {0.5, 2.0}}) {
            for (double temp : new double[]{1.0, 4.0}) {
                double expected = dkdReference(rows(LOGITS), rows(zt), Y, temp, ab[0], ab[1]);
                double graph = graphValue((sd, v) -> {
                    LogitTerm.Inputs in = new LogitTerm.Inputs(v[0], v[1], v[2], null, temp);
                    return new Dkd.Term(ab[0], ab[1]).build(sd, in, 1.0).losses().get(0);
                }, LOGITS, LABELS, SoftTargets.soften(zt, temp));
                assertEquals(expected, graph, 1e-5 * Math.max(1, expected), "alpha=" + ab[0] + " beta=" + ab[1] + " T=" + temp);
                assertTrue(expected > 0.01, "a non-trivial case");
            }
        }
    }

    private static String grid(String extra) {
        return TinySweep.yaml("dkd", """
                sweep:
                  methods: [baseline, dkd]
                  temperature: [4]
                  seeds: [1]
                """ + extra);
    }

    @Test
    void parametersAreSweptWithDefaultsAndEnterTheId() {
        List<Trial> trials = SweepPlan.expand(new ConfigLoader().parse(grid("  params: {dkd_beta: [4, 8]}\n"), "dkd.yaml")
                .config()).trials();
        assertEquals(3, trials.size(), "baseline + 2 DKD configurations");
        List<Map<String, Double>> params = trials.stream().filter(t -> t.spec().method().name().equals("dkd"))
                .map(t -> (Map<String, Double>) t.spec().params()).toList();
        assertEquals(List.of(Map.of("dkd_alpha", 1.0, "dkd_beta", 4.0), Map.of("dkd_alpha", 1.0, "dkd_beta", 8.0)), params);
        assertTrue(trials.get(1).spec().canonical().endsWith(";params=dkd_alpha=1.0,dkd_beta=4.0"), trials.get(1).spec().canonical());
        assertTrue(trials.get(1).spec().alpha() == null, "DKD does not read the response alpha");
    }

    @Test
    void badParametersAreRejectedWithFileLineAndField() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(grid("  params: {dkd_gamma: [1]}\n"), "dkd.yaml"));
        assertTrue(unknown.getMessage().contains("sweep.params.dkd_gamma") && unknown.getMessage().contains("unknown parameter 'dkd_gamma'")
                && unknown.getMessage().contains("dkd.yaml:"), unknown.getMessage());
        ConfigException negative = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(grid("  params: {dkd_beta: [8, -1]}\n"), "dkd.yaml"));
        assertTrue(negative.getMessage().contains("sweep.params.dkd_beta[1]") && negative.getMessage().contains("weight of NCKD"),
                negative.getMessage());
        ConfigException pool = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(grid("  labelled_fraction: [0.5]\n"), "dkd.yaml"));
        assertTrue(pool.getMessage().contains("needs every training label"), pool.getMessage());
    }

    @Test
    void trainsByHandAndStoresItsParameters() throws Exception {
        Path config = TinySweep.write(dir, "dkd", """
                sweep:
                  methods: [dkd]
                  temperature: [4]
                  params: {dkd_alpha: [2]}
                  seeds: [1]
                """);
        assertEquals(0, Main.execute("run", config.toString(), "--reports", dir.resolve("reports").toString(), "--no-report"));
        try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("reports/dkd/metrics").toAbsolutePath())) {
            TrialRow t = store.trials("dkd").get(0);
            assertEquals("done", t.status(), t.reason());
            assertEquals("dkd_alpha=2.0,dkd_beta=8.0", t.params());
            assertEquals("dense", t.provenance().engine());
            assertTrue(t.metric("final_train_dkd_tckd") > 0 && t.metric("final_train_dkd_nckd") > 0);
        }
    }
}
