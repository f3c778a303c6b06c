package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.methods.HardCrossEntropy;
import org.kdharness.methods.SoftKl;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every hand gradient against the graph's autodiff of the same class's loss (the graph is
 * the oracle), and a known answer for the response gradient. Data come from seeded
 * generators, so a failure reproduces.
 */
class TermGradientTest {

    static final int N = 6, C = 5;

    static INDArray gaussian(long seed, int rows, int cols, double scale) {
        Random r = new Random(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    static INDArray oneHot(int[] y, int classes) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, y.length, classes);
        for (int i = 0; i < y.length; i++) {
            out.putScalar(i, y[i], 1f);
        }
        return out;
    }

    static final int[] Y = {2, 0, 4, 1, 1, 3};
    static final INDArray LOGITS = gaussian(11, N, C, 2.0);
    static final INDArray LABELS = oneHot(Y, C);
    static final INDArray MASK = Nd4j.create(new float[]{1, 0, 1, 1, 0, 1}, new long[]{N, 1}, DataType.FLOAT);

    static final INDArray TEACHER_LOGITS = gaussian(12, N, C, 3.0);

    static INDArray teacherProbs(double t) {
        return SoftTargets.soften(TEACHER_LOGITS, t);
    }

    /** {graph gradient of weight * term wrt the logits, hand gradient}. */
    static INDArray[] logitGradients(LogitTerm term, double weight, double t, boolean masked) {
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.var("z", LOGITS.dup());
        INDArray probs = teacherProbs(t);
        LogitTerm.Inputs in = new LogitTerm.Inputs(z, sd.constant("y", LABELS), sd.constant("p", probs),
                sd.constant("zt", TEACHER_LOGITS.dup()), masked ? sd.constant("m", MASK.reshape(N)) : null, t);
        List<SDVariable> losses = term.build(sd, in, weight).losses();
        sd.setLossVariables(losses.toArray(SDVariable[]::new));
        INDArray graph = sd.calculateGradients(Map.of(), "z").get("z");
        INDArray hand = Nd4j.zeros(DataType.FLOAT, N, C);
        LogitTerm.Batch b = new LogitTerm.Batch(LOGITS.dup().data().asNioFloat(), LABELS.dup().data().asNioFloat(),
                probs.dup().data().asNioFloat(), TEACHER_LOGITS.dup().data().asNioFloat(),
                masked ? MASK.dup().data().asNioFloat() : null, N, C, t);
        assertNotNull(term.hand(), term.name() + " has a hand gradient");
        term.hand().add(b, weight, hand.data().asNioFloat());
        return new INDArray[]{graph, hand};
    }

    static void assertClose(INDArray expected, INDArray actual, double rel, String what) {
        double scale = expected.amaxNumber().doubleValue();
        double err = expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(scale > 0, what + ": the expected gradient is zero, the case tests nothing");
        assertTrue(err <= rel * scale + 1e-7, what + ": max error " + err + " against max |expected| " + scale);
    }

    /** The logit terms of every registered method's example trial. */
    static List<LogitTerm> registeredLogitTerms() {
        List<LogitTerm> terms = new java.util.ArrayList<>();
        for (TrialSpec t : DistillationRegistry.standard().exampleTrials(null)) {
            t.method().logitTerms(t).forEach(w -> {
                if (!terms.contains(w.term())) {
                    terms.add(w.term());
                }
            });
        }
        return terms;
    }

    @Test
    void logitTermHandGradientsMatchTheGraph() {
        List<LogitTerm> terms = registeredLogitTerms();
        assertTrue(terms.contains(HardCrossEntropy.INSTANCE) && terms.contains(SoftKl.INSTANCE), terms.toString());
        for (LogitTerm term : terms) {
            for (double t : new double[]{1.0, 4.0}) {
                INDArray[] g = logitGradients(term, 0.7, t, false);
                assertClose(g[0], g[1], 1e-4, term + " T=" + t);
            }
        }
        INDArray[] masked = logitGradients(HardCrossEntropy.INSTANCE, 0.6, 1.0, true);
        assertClose(masked[0], masked[1], 1e-4, "hard_ce over the labelled rows");
    }

    @Test
    void logitTermGraphsPassFiniteDifferences() {
        for (LogitTerm term : registeredLogitTerms()) {
            SameDiff sd = SameDiff.create();
            SDVariable z = sd.var("z", LOGITS.castTo(DataType.DOUBLE));
            LogitTerm.Inputs in = new LogitTerm.Inputs(z, sd.constant("y", LABELS.castTo(DataType.DOUBLE)),
                    sd.constant("p", teacherProbs(4).castTo(DataType.DOUBLE)), sd.constant("zt", TEACHER_LOGITS.castTo(DataType.DOUBLE)),
                    null, 4.0);
            List<SDVariable> losses = term.build(sd, in, 1.0).losses();
            sd.setLossVariables(losses.toArray(SDVariable[]::new));
            GradientCheck.check(sd, losses.get(0).name(), "z", 1e-6, 1e-8, 1e-4, 1);
        }
    }

    @Test
    void responseGradientKnownAnswer() {
        // hardW m_i (p - y) / n_labelled + softW (q_T - p_t) / (n T), by hand from the formula
        double hardW = 0.6, softW = 0.4 * 9, t = 3;
        INDArray probs = teacherProbs(t);
        INDArray hand = Nd4j.zeros(DataType.FLOAT, N, C);
        LogitTerm.Batch b = new LogitTerm.Batch(LOGITS.dup().data().asNioFloat(), LABELS.dup().data().asNioFloat(),
                probs.dup().data().asNioFloat(), null, MASK.dup().data().asNioFloat(), N, C, t);
        FloatBuffer out = hand.data().asNioFloat();
        HardCrossEntropy.INSTANCE.hand().add(b, hardW, out);
        SoftKl.INSTANCE.hand().add(b, softW, out);
        double labelled = MASK.sumNumber().doubleValue();
        for (int i = 0; i < N; i++) {
            double[] z = LOGITS.getRow(i).toDoubleVector();
            double[] p = SoftTargets.softmax(z, 1.0), q = SoftTargets.softmax(z, t);
            for (int c = 0; c < C; c++) {
                double g = hardW * MASK.getDouble(i, 0) * (p[c] - (c == Y[i] ? 1 : 0)) / labelled
                        + softW * (q[c] - probs.getDouble(i, c)) / (N * t);
                assertEquals(g, hand.getDouble(i, c), 1e-6, "row " + i + " class " + c);
            }
        }
    }

    @Test
    void distanceHandGradientsMatchTheGraph() {
        DistillationRegistry registry = DistillationRegistry.standard();
        for (String name : registry.distanceNames()) {
            LayerDistance d = registry.distance(name);
            if (d.mapsOnly()) {
                continue;
            }
            assertNotNull(d.hand(), name + ": every distance on vectors brings a hand gradient");
            // hints compare the projected student with the teacher (equal widths); relations any widths
            int ds = d.family() == LayerDistance.Family.HINT ? 7 : 4;
            for (long seed : new long[]{1, 2}) {
                INDArray s = gaussian(100 + seed, 9, ds, 1.0), t = gaussian(200 + seed, 9, 7, 2.0);
                SameDiff sd = SameDiff.create();
                SDVariable sv = sd.var("s", s.dup());
                sd.setLossVariables(sd.identity("loss", d.build(sd, sv, sd.constant("t", t))));
                INDArray graph = sd.calculateGradients(Map.of(), "s").get("s").mul(0.9);
                INDArray hand = Nd4j.zeros(DataType.FLOAT, 9, ds);
                d.hand().add(s, t, 0.9, hand);
                assertClose(graph, hand, 2e-3, name + " seed " + seed);
            }
        }
    }

    @Test
    void mapsOnlyDistanceHandGradientsMatchTheGraph() {
        DistillationRegistry registry = DistillationRegistry.standard();
        int covered = 0;
        for (String name : registry.distanceNames()) {
            LayerDistance d = registry.distance(name);
            if (!d.mapsOnly()) {
                continue;
            }
            assertNotNull(d.hand(), name + ": every maps-only distance brings a hand gradient");
            // student and teacher maps of other widths (3 and 5 channels) on the same 4x4 positions
            for (long seed : new long[]{1, 2}) {
                INDArray s = gaussian(300 + seed, 6, 48, 1.0).reshape(6, 3, 4, 4), t = gaussian(400 + seed, 6, 80, 2.0).reshape(6, 5, 4, 4);
                SameDiff sd = SameDiff.create();
                SDVariable sv = sd.var("s", s.dup());
                sd.setLossVariables(sd.identity("loss", d.build(sd, sv, sd.constant("t", t))));
                INDArray graph = sd.calculateGradients(Map.of(), "s").get("s").mul(0.9);
                INDArray hand = Nd4j.zeros(DataType.FLOAT, 6, 3, 4, 4);
                d.hand().add(s, t, 0.9, hand);
                assertClose(graph.reshape(6, 48), hand.reshape(6, 48), 2e-3, name + " seed " + seed);
            }
            // and the graph against finite differences, in double
            SameDiff sd = SameDiff.create();
            sd.var("s", gaussian(7, 4, 18, 1.0).castTo(DataType.DOUBLE).reshape(4, 2, 3, 3));
            sd.setLossVariables(sd.identity("loss", d.build(sd, sd.getVariable("s"),
                    sd.constant("t", gaussian(8, 4, 27, 1.0).castTo(DataType.DOUBLE).reshape(4, 3, 3, 3)))));
            GradientCheck.check(sd, "loss", "s", 1e-6, 1e-8, 1e-4, 1);
            covered++;
        }
        assertTrue(covered >= 1, "attention transfer at least");
    }

    @Test
    void distanceGraphsPassFiniteDifferences() {
        DistillationRegistry registry = DistillationRegistry.standard();
        for (String name : registry.distanceNames()) {
            LayerDistance d = registry.distance(name);
            if (d.mapsOnly()) {
                continue;
            }
            int ds = d.family() == LayerDistance.Family.HINT ? 4 : 3;
            SameDiff sd = SameDiff.create();
            sd.var("s", gaussian(5, 5, ds, 1.0).castTo(DataType.DOUBLE));
            SDVariable loss = sd.identity("loss", d.build(sd, sd.getVariable("s"),
                    sd.constant("t", gaussian(6, 5, 4, 1.0).castTo(DataType.DOUBLE))));
            sd.setLossVariables(loss);
            GradientCheck.check(sd, "loss", "s", 1e-6, 1e-8, 1e-4, 1);
        }
    }

    static double graphValue(java.util.function.BiFunction<SameDiff, SDVariable[], SDVariable> loss, INDArray... inputs) {
        SameDiff sd = SameDiff.create();
        SDVariable[] vars = new SDVariable[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            vars[i] = sd.constant("in" + i, inputs[i].castTo(DataType.DOUBLE));
        }
        SDVariable out = sd.identity("out", loss.apply(sd, vars));
        return sd.output(Map.of(), "out").get("out").getDouble(0);
    }

    static double[][] rows(INDArray m) {
        return m.castTo(DataType.DOUBLE).toDoubleMatrix();
    }
}
