package org.kdharness.models;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * BatchNorm: in training it normalises with the batch's statistics and its gradient (through
 * those statistics) matches finite differences; at inference it normalises with the running ones.
 */
class BatchNormLayerTest {

    /** x [4, 3, 2, 2] (a variable, so its gradient is checked), gamma, beta, and a loss sum(y * r) for fixed random r. */
    private static final class Fixture {
        final SameDiff sd = SameDiff.create();
        final INDArray x0 = values(new Random(1), 0.5, 1.3, 4, 3, 2, 2);
        final SDVariable x = sd.var("x", x0.dup());
        final SDVariable gamma = sd.var("gamma", Nd4j.create(new float[]{1.5f, 0.7f, -0.4f}));
        final SDVariable beta = sd.var("beta", Nd4j.create(new float[]{0.1f, -0.2f, 0.3f}));
        final SDVariable flag = sd.placeHolder("flag", DataType.FLOAT, 1);
        final BatchNormLayer bn = BatchNormLayer.apply(sd, x, 3, gamma, beta, flag.mean(), "bn");
        final INDArray r = values(new Random(2), 0, 1, 4, 3, 2, 2);

        Fixture() {
            sd.setLossVariables(sd.identity("loss", bn.output().mul(sd.constant("r", r)).sum()));
        }

        Map<String, INDArray> feed(double training) {
            return Map.of("flag", Nd4j.createFromArray((float) training));
        }

        double loss(double training) {
            return sd.output(feed(training), "loss").get("loss").getDouble(0);
        }
    }

    static INDArray values(Random r, double mean, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (mean + std * r.nextGaussian());
        }
        return Nd4j.create(v, shape, DataType.FLOAT);
    }

    @Test
    void trainingNormalisesWithTheBatchAndInferenceWithTheRunningStatistics() {
        Fixture f = new Fixture();
        double[] g = {1.5, 0.7, -0.4}, b = {0.1, -0.2, 0.3};
        double[] rm = {0.2, -0.1, 0.5}, rv = {2.0, 0.5, 1.5};
        f.sd.getVariable("bn_running_mean").getArr().assign(Nd4j.create(new double[]{rm[0], rm[1], rm[2]}).castTo(DataType.FLOAT));
        f.sd.getVariable("bn_running_var").getArr().assign(Nd4j.create(new double[]{rv[0], rv[1], rv[2]}).castTo(DataType.FLOAT));
        INDArray train = f.sd.output(f.feed(1), f.bn.output().name()).get(f.bn.output().name());
        INDArray infer = f.sd.output(f.feed(0), f.bn.output().name()).get(f.bn.output().name());
        for (int c = 0; c < 3; c++) {
            double mean = 0, sq = 0;
            for (int n = 0; n < 4; n++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        double v = f.x0.getDouble(n, c, i, j);
                        mean += v / 16;
                        sq += v * v / 16;
                    }
                }
            }
            double var = sq - mean * mean;
            for (int n = 0; n < 4; n++) {
                double v = f.x0.getDouble(n, c, 1, 0);
                assertEquals((v - mean) / Math.sqrt(var + BatchNormLayer.EPSILON) * g[c] + b[c], train.getDouble(n, c, 1, 0), 1e-4,
                        "training: the batch's mean and biased variance");
                assertEquals((v - rm[c]) / Math.sqrt(rv[c] + BatchNormLayer.EPSILON) * g[c] + b[c], infer.getDouble(n, c, 1, 0), 1e-4,
                        "inference: the running statistics");
            }
        }
    }

    @Test
    void trainingGradientsMatchFiniteDifferences() {
        Fixture f = new Fixture();
        for (String v : new String[]{"x", "gamma", "beta"}) {
            INDArray analytic = f.sd.calculateGradients(f.feed(1), v).get(v);
            INDArray p = f.sd.getVariable(v).getArr();
            double scale = analytic.amaxNumber().doubleValue();
            for (int k = 0; k < p.length(); k += v.equals("x") ? 3 : 1) {
                double orig = p.getDouble(k), eps = 1e-2;
                p.putScalar(k, orig + eps);
                double up = f.loss(1);
                p.putScalar(k, orig - eps);
                double down = f.loss(1);
                p.putScalar(k, orig);
                double numeric = (up - down) / (2 * eps);
                assertEquals(numeric, analytic.getDouble(k), 2e-3 + 2e-2 * Math.abs(numeric), v + "[" + k + "] (max |grad| " + scale + ")");
            }
        }
        // the gradient through the batch statistics: for x it differs from what fixed statistics would give
        INDArray throughStats = f.sd.calculateGradients(f.feed(1), "x").get("x");
        f.sd.getVariable("bn_running_mean").getArr().assign(f.sd.output(f.feed(1), "bn_batch_mean").get("bn_batch_mean"));
        f.sd.getVariable("bn_running_var").getArr().assign(f.sd.output(f.feed(1), "bn_batch_var").get("bn_batch_var"));
        INDArray fixed = f.sd.calculateGradients(f.feed(0), "x").get("x");
        double gap = throughStats.sub(fixed).amaxNumber().doubleValue();
        org.junit.jupiter.api.Assertions.assertTrue(gap > 1e-2, "batch statistics carry gradient: " + gap);
    }
}
