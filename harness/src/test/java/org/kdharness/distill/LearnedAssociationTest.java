package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.methods.LearnedAssociation;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The learned association (SemCKD-style) term: its value recomputed by hand, its gradients
 * against finite differences, and that training it on a synthetic task puts the attention on the
 * one teacher layer the student layer can match exactly.
 */
class LearnedAssociationTest {

    private static final LearnedAssociation METHOD = new LearnedAssociation();

    /** A graph with trainable student taps {@code h1..} and constant teacher layers. */
    private record Fixture(SameDiff sd, TapLoss.Built built) {

        static Fixture of(List<INDArray> student, List<INDArray> teacher, boolean trainableStudent) {
            SameDiff sd = SameDiff.create();
            List<SDVariable> hs = new ArrayList<>();
            List<long[]> ss = new ArrayList<>();
            for (int l = 0; l < student.size(); l++) {
                INDArray h = student.get(l);
                hs.add(trainableStudent ? sd.var("h" + (l + 1), h) : sd.constant("h" + (l + 1), h));
                ss.add(new long[]{h.size(1)});
            }
            List<SDVariable> ts = new ArrayList<>();
            List<long[]> tShapes = new ArrayList<>();
            for (int j = 0; j < teacher.size(); j++) {
                ts.add(sd.constant("t" + (j + 1), teacher.get(j)));
                tShapes.add(new long[]{teacher.get(j).size(1)});
            }
            Network net = new Network(sd, null, null, hs, ss, List.of(), List.of(), 0);
            TapLoss.Built built = METHOD.build(sd, net, ts, tShapes, 3);
            sd.setLossVariables(sd.identity("loss", built.loss1()));
            return new Fixture(sd, built);
        }

        double value(String variable) {
            return sd.output(Map.of(), variable).get(variable).getDouble(0);
        }

        double[][] array(String variable) {
            return sd.getVariable(variable).getArr().toDoubleMatrix();
        }
    }

    private static INDArray gaussian(Random r, int n, int d, double scale) {
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Nd4j.create(v, new long[]{n, d}, DataType.FLOAT);
    }

    @Test
    void valueIsTheAttentionWeightedSquaredErrorRecomputedByHand() {
        Random r = new Random(5);
        int n = 4;
        // two student layers of width 3 = the teacher widths: no projections, so every number below is recomputable
        INDArray h1 = gaussian(r, n, 3, 1), h2 = gaussian(r, n, 3, 1), t1 = gaussian(r, n, 3, 1), t2 = gaussian(r, n, 3, 1);
        Fixture f = Fixture.of(List.of(h1, h2), List.of(t1, t2), true);
        // biases away from zero, so they are tested too
        f.sd.getVariable("assoc_q1_b").getArr().assign(gaussian(r, 1, 32, 0.5));
        f.sd.getVariable("assoc_q2_b").getArr().assign(gaussian(r, 1, 32, 0.5));
        f.sd.getVariable("assoc_k2_b").getArr().assign(gaussian(r, 1, 32, 0.5));
        double[][][] x = {h1.toDoubleMatrix(), h2.toDoubleMatrix()};
        double[][][] t = {t1.toDoubleMatrix(), t2.toDoubleMatrix()};
        double total = 0;
        for (int l = 0; l < 2; l++) {
            double[][] q = affine(x[l], f.array("assoc_q" + (l + 1) + "_W"), f.array("assoc_q" + (l + 1) + "_b")[0]);
            double loss = 0, mass2 = 0;
            for (int b = 0; b < n; b++) {
                double[] e = new double[2], d = new double[2];
                for (int j = 0; j < 2; j++) {
                    double[] k = affine(t[j], f.array("assoc_k" + (j + 1) + "_W"), f.array("assoc_k" + (j + 1) + "_b")[0])[b];
                    for (int u = 0; u < 32; u++) {
                        e[j] += q[b][u] * k[u] / Math.sqrt(32);
                    }
                    for (int u = 0; u < 3; u++) {
                        d[j] += Math.pow(x[l][b][u] - t[j][b][u], 2) / 3;
                    }
                }
                double a2 = 1 / (1 + Math.exp(e[0] - e[1]));
                loss += ((1 - a2) * d[0] + a2 * d[1]) / n;
                mass2 += a2 / n;
            }
            assertTrue(Math.abs(mass2 - 0.5) > 1e-3, "the attention is not uniform, so the case tests the softmax: " + mass2);
            assertEquals(loss, f.value("association_s" + (l + 1)), 1e-5, "student layer " + (l + 1));
            assertEquals(mass2, f.value(LearnedAssociation.weightMetric(l + 1, 2)), 1e-5);
            assertEquals(1.0, f.value(LearnedAssociation.weightMetric(l + 1, 1)) + mass2, 1e-5, "the attention sums to 1");
            total += loss;
        }
        assertEquals(total / 2, f.value("loss"), 1e-5, "Loss1 is the mean over student layers");
        assertEquals(4, f.built.validationMetrics().size());
    }

    private static double[][] affine(double[][] x, double[][] w, double[] bias) {
        double[][] out = new double[x.length][w[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < w[0].length; o++) {
                out[i][o] = bias[o];
                for (int k = 0; k < w.length; k++) {
                    out[i][o] += x[i][k] * w[k][o];
                }
            }
        }
        return out;
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random r = new Random(8);
        int n = 5;
        // two student layers (widths 3, 2) against teacher layers of widths 4, 3, 2: some pairs projected, some not
        Fixture f = Fixture.of(List.of(gaussian(r, n, 3, 1), gaussian(r, n, 2, 1)),
                List.of(gaussian(r, n, 4, 1), gaussian(r, n, 3, 1), gaussian(r, n, 2, 1)), true);
        for (String v : List.of("assoc_q1_b", "assoc_k1_b")) {
            f.sd.getVariable(v).getArr().assign(gaussian(r, 1, 32, 0.5));
        }
        for (String v : List.of("h1", "h2", "assoc_q1_W", "assoc_q2_b", "assoc_k1_W", "assoc_k3_b", "assoc_p1_t1_W", "assoc_p2_t2_b")) {
            GradientCheck.check(f.sd, "loss", v, 1e-2, 2e-3, 2e-2, v.endsWith("_W") ? 7 : 1);
        }
    }

    @Test
    void featureMapTapsArePooledForTheAttentionAndProjectedForTheDistance() {
        // a conv student tap [2, 4, 4] against a teacher map [3, 2, 2] (pooled 4x4 -> 2x2, then a 1x1 conv 2 -> 3 channels)
        // and a teacher vector of width 5 (the map flattened, then linear)
        Random r = new Random(13);
        int n = 3;
        SameDiff sd = SameDiff.create();
        SDVariable h = sd.var("h", gaussian(r, n, 32, 1).reshape(n, 2, 4, 4));
        Network net = new Network(sd, null, null, List.of(h), List.of(new long[]{2, 4, 4}), List.of(), List.of(), 0);
        INDArray tMap = gaussian(r, n, 12, 1), tVec = gaussian(r, n, 5, 1);
        TapLoss.Built built = METHOD.build(sd, net, List.of(sd.constant("t1", tMap), sd.constant("t2", tVec)),
                List.of(new long[]{3, 2, 2}, new long[]{5}), 3);
        sd.setLossVariables(sd.identity("loss", built.loss1()));
        assertEquals(List.of(1L, 1L, 2L, 3L), List.of(sd.getVariable("assoc_p1_t1_W").getArr().shape()[0],
                sd.getVariable("assoc_p1_t1_W").getArr().shape()[1], sd.getVariable("assoc_p1_t1_W").getArr().shape()[2],
                sd.getVariable("assoc_p1_t1_W").getArr().shape()[3]), "a 1x1 convolution from 2 to 3 channels");
        assertEquals(List.of(32L, 5L), List.of(sd.getVariable("assoc_p1_t2_W").getArr().shape()[0],
                sd.getVariable("assoc_p1_t2_W").getArr().shape()[1]), "the flattened map onto the vector");
        assertEquals(List.of(2L, 32L), List.of(sd.getVariable("assoc_q1_W").getArr().shape()[0],
                sd.getVariable("assoc_q1_W").getArr().shape()[1]), "the query reads the 2 pooled channels");
        assertEquals(List.of(3L, 32L), List.of(sd.getVariable("assoc_k1_W").getArr().shape()[0],
                sd.getVariable("assoc_k1_W").getArr().shape()[1]), "the key reads the teacher map's 3 pooled channels");
        for (String v : List.of("h", "assoc_p1_t1_W", "assoc_q1_W", "assoc_k1_W")) {
            GradientCheck.check(sd, "loss", v, 1e-2, 2e-3, 2e-2, v.equals("h") ? 1 : 5);
        }
    }

    @Test
    void attentionConcentratesOnTheTeacherLayerTheStudentCanMatchExactly() {
        double[] exact = trainedMass(true);
        assertTrue(exact[0] < 0.6, "the test starts from an undecided attention: " + exact[0]);
        assertTrue(exact[1] > 0.8, "mass on the exactly matchable layer after training: " + exact[1] + " (before " + exact[0] + ")");
        // the control: the same layer replaced by unrelated noise draws no such mass
        double[] control = trainedMass(false);
        assertTrue(control[1] < 0.5, "mass on a noise layer after training: " + control[1]);
    }

    /** Mean attention on teacher layer 2 before and after 400 Adam steps on the term's own variables. */
    private static double[] trainedMass(boolean exact) {
        Random r = new Random(21);
        int n = 256;
        INDArray z = gaussian(r, n, 8, 1);
        // t2 is an exact linear function of the student layer (or, as the control, noise); t1 a nonlinear function of it;
        // t3 unrelated
        INDArray lift = gaussian(r, 8, 6, Math.sqrt(1.0 / 8));
        INDArray t2 = exact ? z.mmul(lift) : gaussian(new Random(99), n, 6, 1);
        INDArray t1 = org.nd4j.linalg.ops.transforms.Transforms.pow(z.mmul(gaussian(r, 8, 5, Math.sqrt(1.0 / 8))), 2)
                .subi(1.0);
        INDArray t3 = gaussian(r, n, 7, 1);
        Fixture f = Fixture.of(List.of(z), List.of(t1, t2, t3), false);
        String mass = LearnedAssociation.weightMetric(1, 2);
        double before = f.value(mass);
        List<String> trained = f.built.projections();
        Map<String, INDArray[]> moments = new java.util.HashMap<>();
        for (int step = 1; step <= 400; step++) {
            Map<String, INDArray> g = f.sd.calculateGradients(Map.of(), trained.toArray(String[]::new));
            for (String v : trained) {
                INDArray[] m = moments.computeIfAbsent(v, k -> new INDArray[]{g.get(v).mul(0), g.get(v).mul(0)});
                m[0].muli(0.9).addi(g.get(v).mul(0.1));
                m[1].muli(0.999).addi(g.get(v).mul(g.get(v)).muli(0.001));
                INDArray mHat = m[0].div(1 - Math.pow(0.9, step)), vHat = m[1].div(1 - Math.pow(0.999, step));
                f.sd.getVariable(v).getArr().subi(mHat.muli(0.01).divi(org.nd4j.linalg.ops.transforms.Transforms.sqrt(vHat).addi(1e-8)));
            }
        }
        return new double[]{before, f.value(mass)};
    }
}
