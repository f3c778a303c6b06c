package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.methods.Responses;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Known-answer and gradient tests of Hinton's response loss as built in the graph. */
class ResponseLossTest {

    /** The response method's weighted terms as the objective builds them. */
    record Built(List<SDVariable> losses) {
    }

    static Built build(SameDiff sd, SDVariable labels, SDVariable probs, SDVariable logits, double t, double alpha,
                       double scale, SDVariable mask) {
        LogitTerm.Inputs in = new LogitTerm.Inputs(logits, labels, probs, null, mask, t);
        List<SDVariable> losses = new ArrayList<>();
        for (WeightedTerm w : Responses.terms(alpha, t, scale)) {
            losses.addAll(w.term().build(sd, in, w.weight()).losses());
        }
        return new Built(losses);
    }

    static final double[][] ZS = {{1.0, 2.0, 0.5}, {0.2, -1.0, 3.0}};
    static final double[][] ZT = {{2.0, 1.0, 0.0}, {0.0, 0.5, 4.0}};
    static final int[] Y = {1, 2};

    /** Builds the loss on fixed logits; returns {loss value, dL/dz}. */
    static INDArray[] lossAndGradient(double t, double alpha, double scale) {
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.var("z", Nd4j.create(ZS).castTo(DataType.FLOAT));
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 3);
        y.putScalar(0, 1, 1f);
        y.putScalar(1, 2, 1f);
        SDVariable labels = sd.constant("y", y);
        SDVariable probs = sd.constant("p", SoftTargets.soften(Nd4j.create(ZT), t));
        Built terms = build(sd, labels, probs, z, t, alpha, scale, null);
        sd.setLossVariables(terms.losses().toArray(SDVariable[]::new));
        double value = 0;
        for (SDVariable l : terms.losses()) {
            value += sd.output(Map.of(), l.name()).get(l.name()).getDouble(0);
        }
        return new INDArray[]{Nd4j.scalar(value), sd.calculateGradients(Map.of(), "z").get("z")};
    }

    @Test
    void hardLabelTermAloneIsCrossEntropyWhenAlphaIsOne() {
        // -log softmax: row 0 label 1, row 1 label 2
        double ce0 = -Math.log(Math.exp(2.0) / (Math.exp(1.0) + Math.exp(2.0) + Math.exp(0.5)));
        double ce1 = -Math.log(Math.exp(3.0) / (Math.exp(0.2) + Math.exp(-1.0) + Math.exp(3.0)));
        assertEquals(0.464369, ce0, 1e-6); // independently: python math
        assertEquals((ce0 + ce1) / 2, lossAndGradient(4.0, 1.0, 1.0)[0].getDouble(0), 1e-5);
    }

    @Test
    void klKnownAnswersAtT1AndT4() {
        // KL(softmax(zt/T) || softmax(zs/T)) for row 0, by hand
        double[] p1 = {Math.exp(2) / (Math.exp(2) + Math.exp(1) + 1), Math.exp(1) / (Math.exp(2) + Math.exp(1) + 1),
                1 / (Math.exp(2) + Math.exp(1) + 1)};
        assertEquals(0.665241, p1[0], 1e-6);
        double[] q1 = SoftTargets.softmax(ZS[0], 1.0);
        double kl1 = p1[0] * Math.log(p1[0] / q1[0]) + p1[1] * Math.log(p1[1] / q1[1]) + p1[2] * Math.log(p1[2] / q1[2]);
        assertEquals(kl1, SoftTargets.kl(SoftTargets.softmax(ZT[0], 1.0), q1), 1e-12);
        assertEquals(0.432260, kl1, 1e-6); // independently: python math
        double kl4 = SoftTargets.kl(SoftTargets.softmax(ZT[0], 4.0), SoftTargets.softmax(ZS[0], 4.0));
        assertEquals(0.024695, kl4, 1e-6);
    }

    @Test
    void graphValueMatchesFormulaIncludingTSquared() {
        for (double t : new double[]{1.0, 2.0, 4.0}) {
            for (double alpha : new double[]{0.0, 0.5, 0.9}) {
                double expected = ResponseLoss.reference(ZS, ZT, Y, t, alpha);
                // the graph minimises CE for the soft term: CE = KL + H(teacher), H is constant
                double entropy = (SoftTargets.entropy(SoftTargets.softmax(ZT[0], t))
                        + SoftTargets.entropy(SoftTargets.softmax(ZT[1], t))) / 2;
                double graph = lossAndGradient(t, alpha, 1.0)[0].getDouble(0) - (1 - alpha) * t * t * entropy;
                assertEquals(expected, graph, 1e-4, "T=" + t + " alpha=" + alpha);
            }
        }
    }

    @Test
    void graphKlAtT1AndT4MatchesIndependentKnownAnswers() {
        // row 0 alone (a batch of one): KL(softmax(zt/T) || softmax(zs/T)) computed independently in
        // Python: 0.432260 at T=1 and 0.024695 at T=4. At alpha=0 the graph's loss is T^2 * CE(p_t, q_s),
        // so loss / T^2 - H(p_t) must equal them, which also pins the T^2 factor.
        double[] expected = {0.432260, 0.024695};
        double[] temperatures = {1.0, 4.0};
        for (int k = 0; k < 2; k++) {
            double t = temperatures[k];
            SameDiff sd = SameDiff.create();
            SDVariable z = sd.var("z", Nd4j.create(new double[][]{ZS[0]}).castTo(DataType.FLOAT));
            INDArray y = Nd4j.zeros(DataType.FLOAT, 1, 3);
            y.putScalar(0, 1, 1f);
            SDVariable probs = sd.constant("p", SoftTargets.soften(Nd4j.create(new double[][]{ZT[0]}), t));
            Built terms = build(sd, sd.constant("y", y), probs, z, t, 0.0, 1.0, null);
            String loss = terms.losses().get(0).name();
            double value = sd.output(Map.of(), loss).get(loss).getDouble(0);
            double entropy = SoftTargets.entropy(SoftTargets.softmax(ZT[0], t));
            assertEquals(expected[k], value / (t * t) - entropy, 1e-5, "T=" + t);
        }
    }

    @Test
    void gradientMatchesAnalyticFormula() {
        for (double scale : new double[]{1.0, 0.2}) {
            for (double t : new double[]{1.0, 2.0, 4.0}) {
                for (double alpha : new double[]{0.0, 0.5, 0.9, 1.0}) {
                    INDArray g = lossAndGradient(t, alpha, scale)[1];
                    for (int i = 0; i < 2; i++) {
                        double[] q = SoftTargets.softmax(ZS[i], 1);
                        double[] qt = SoftTargets.softmax(ZS[i], t);
                        double[] pt = SoftTargets.softmax(ZT[i], t);
                        for (int c = 0; c < 3; c++) {
                            // d/dz [a CE + (1-a) T^2 KL(T)] = a (q - y) + (1-a) T (q_T - p_T), mean over 2 rows
                            double expected = scale * (alpha * (q[c] - (Y[i] == c ? 1 : 0))
                                    + (1 - alpha) * t * (qt[c] - pt[c])) / 2;
                            assertEquals(expected, g.getDouble(i, c), 1e-5,
                                    "scale=" + scale + " T=" + t + " alpha=" + alpha + " row " + i + " class " + c);
                        }
                    }
                }
            }
        }
    }

    @Test
    void labelMaskKeepsHardTermToLabelledExamples() {
        // row 0 labelled, row 1 in the unlabelled transfer pool: the hard term is row 0's CE
        // alone (mean over labelled rows), the soft term still averages both rows
        double t = 2.0, alpha = 0.5;
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.var("z", Nd4j.create(ZS).castTo(DataType.FLOAT));
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 3);
        y.putScalar(0, 1, 1f);
        y.putScalar(1, 2, 1f);
        SDVariable mask = sd.constant("m", Nd4j.create(new float[]{1f, 0f}, new long[]{2}, DataType.FLOAT));
        Built terms = build(sd, sd.constant("y", y), sd.constant("p", SoftTargets.soften(Nd4j.create(ZT), t)),
                z, t, alpha, 1.0, mask);
        sd.setLossVariables(terms.losses().toArray(SDVariable[]::new));
        INDArray g = sd.calculateGradients(Map.of(), "z").get("z");
        for (int i = 0; i < 2; i++) {
            double[] q = SoftTargets.softmax(ZS[i], 1);
            double[] qt = SoftTargets.softmax(ZS[i], t);
            double[] pt = SoftTargets.softmax(ZT[i], t);
            for (int c = 0; c < 3; c++) {
                double hard = i == 0 ? alpha * (q[c] - (Y[i] == c ? 1 : 0)) : 0;
                double soft = (1 - alpha) * t * (qt[c] - pt[c]) / 2;
                assertEquals(hard + soft, g.getDouble(i, c), 1e-5, "row " + i + " class " + c);
            }
        }
    }
}
