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
            int g = y[i];
            double[] ps = SoftTargets.softmax(zs[i], temp), pt = SoftTargets.softmax(zt[i], temp);
            double tckd = SoftTargets.kl(new double[]{pt[g], others(pt, g)}, new double[]{ps[g], others(ps, g)});
            sum += alpha * tckd + beta * SoftTargets.kl(SoftTargets.softmax(without(zt[i], g), temp),
                    SoftTargets.softmax(without(zs[i], g), temp));
        }
        return temp * temp * sum / zs.length;
    }

    /** The non-target mass, summed (not 1 - p_gt, which rounds to 0 for a confident network). */
    private static double others(double[] p, int g) {
        double o = 0;
        for (int c = 0; c < p.length; c++) {
            o += c == g ? 0 : p[c];
        }
        return o;
    }

    /** The logits without the target class: their softmax is mdistiller's softmax(z/T - 1000 gt) restricted to them. */
    private static double[] without(double[] z, int g) {
        double[] out = new double[z.length - 1];
        for (int c = 0, k = 0; c < z.length; c++) {
            if (c != g) {
                out[k++] = z[c];
            }
        }
        return out;
    }

    private static double graphDkd(INDArray zs, INDArray zt, double temp, double alpha, double beta) {
        return graphValue((sd, v) -> {
            LogitTerm.Inputs in = new LogitTerm.Inputs(v[0], v[1], null, v[2], null, temp);
            return new Dkd.Term(alpha, beta).build(sd, in, 1.0).losses().get(0);
        }, zs, LABELS, zt);
    }

    @Test
    void equalsMdistillersDefinition() {
        INDArray zt = gaussian(12, N, C, 3.0);
        for (double[] ab : new double[][]{{1.0, 8.0}, {0.5, 2.0}}) {
            for (double temp : new double[]{1.0, 4.0}) {
                double expected = dkdReference(rows(LOGITS), rows(zt), Y, temp, ab[0], ab[1]);
                assertEquals(expected, graphDkd(LOGITS, zt, temp, ab[0], ab[1]), 1e-5 * Math.max(1, expected),
                        "alpha=" + ab[0] + " beta=" + ab[1] + " T=" + temp);
                assertTrue(expected > 0.01, "a non-trivial case");
            }
        }
    }

    /** Logits whose target class leads every other by {@code margin} plus noise. */
    private static INDArray confident(long seed, double margin) {
        INDArray z = gaussian(seed, N, C, 1.0);
        for (int i = 0; i < N; i++) {
            z.putScalar(i, Y[i], z.getDouble(i, Y[i]) + margin);
        }
        return z;
    }

    @Test
    void confidentNetworksStayFiniteAndExact() {
        // margins of 25 (teacher) and 40 (student) at T = 1: 1 - p_gt rounds to 0 in float (and in double for 40);
        // the non-target distributions must still be the renormalised small masses
        INDArray zt = confident(51, 25), zs = confident(52, 40);
        double expected = dkdReference(rows(zs), rows(zt), Y, 1.0, 1.0, 8.0);
        double graph = graphDkd(zs, zt, 1.0, 1.0, 8.0);
        assertTrue(Double.isFinite(graph), "graph value " + graph);
        assertEquals(expected, graph, 1e-4 * Math.max(1, expected));
        assertTrue(expected > 0.01, "the non-target KL is not negligible: " + expected);
        LogitTerm term = new Dkd.Term(1.0, 8.0);
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        org.nd4j.autodiff.samediff.SDVariable z = sd.var("z", zs.dup());
        sd.setLossVariables(term.build(sd, new LogitTerm.Inputs(z, sd.constant("y", LABELS), null, sd.constant("zt", zt), null, 1.0),
                1.0).losses().toArray(org.nd4j.autodiff.samediff.SDVariable[]::new));
        INDArray graphGrad = sd.calculateGradients(Map.of(), "z").get("z");
        INDArray hand = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, N, C);
        term.hand().add(new LogitTerm.Batch(zs.dup().data().asNioFloat(), LABELS.dup().data().asNioFloat(), null,
                zt.dup().data().asNioFloat(), null, N, C, 1.0), 1.0, hand.data().asNioFloat());
        for (double v : graphGrad.reshape(-1).toDoubleVector()) {
            assertTrue(Double.isFinite(v), "graph gradient " + graphGrad);
        }
        TermGradientTest.assertClose(graphGrad, hand, 1e-3, "confident DKD");
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
            assertEquals("layers", t.provenance().engine());
            assertTrue(t.metric("final_train_dkd_tckd") > 0 && t.metric("final_train_dkd_nckd") > 0);
        }
    }
}
