package org.kdharness.distill;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Central finite differences against SameDiff's gradients, for the loss tests. */
final class GradientCheck {

    private GradientCheck() {
    }

    /** Uniform [0, 1) values from a seeded generator, so a failing check reproduces. */
    static INDArray uniform(long seed, long... shape) {
        java.util.Random r = new java.util.Random(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return org.nd4j.linalg.factory.Nd4j.create(v, shape, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /**
     * Checks d(loss)/d(variable) at every {@code stride}-th element with step {@code eps};
     * tolerance is {@code absTol + relTol * |numeric|}.
     */
    static void check(SameDiff sd, String loss, String variable, double eps, double absTol, double relTol, int stride) {
        INDArray analytic = sd.calculateGradients(Map.of(), variable).get(variable);
        INDArray param = sd.getVariable(variable).getArr();
        for (int k = 0; k < param.length(); k += stride) {
            double orig = param.getDouble(k);
            param.putScalar(k, orig + eps);
            double up = sd.output(Map.of(), loss).get(loss).getDouble(0);
            param.putScalar(k, orig - eps);
            double down = sd.output(Map.of(), loss).get(loss).getDouble(0);
            param.putScalar(k, orig);
            double numeric = (up - down) / (2 * eps);
            assertEquals(numeric, analytic.getDouble(k), absTol + relTol * Math.abs(numeric), "d" + loss + "/d" + variable + "[" + k + "]");
        }
    }
}
