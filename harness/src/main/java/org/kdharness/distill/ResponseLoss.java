package org.kdharness.distill;

/**
 * Hinton et al. (2015) response distillation in plain double arithmetic:
 * {@code L2 = alpha*CE(y, softmax(z_s)) + (1-alpha)*T^2*KL(softmax(z_t/T) || softmax(z_s/T))}.
 *
 * <p>Why a reference beside the graph: the graph terms ({@code HardCrossEntropy},
 * {@code SoftKl}) are checked against this in tests, and this against values computed by
 * hand.
 */
public final class ResponseLoss {

    private ResponseLoss() {
    }

    /** Mean over rows of {@code alpha*CE + (1-alpha)*T^2*KL}. */
    public static double reference(double[][] studentLogits, double[][] teacherLogits, int[] labels,
                                   double temperature, double alpha) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double[] q = SoftTargets.softmax(studentLogits[i], 1.0);
            double ce = -Math.log(q[labels[i]]);
            double kl = SoftTargets.kl(SoftTargets.softmax(teacherLogits[i], temperature),
                    SoftTargets.softmax(studentLogits[i], temperature));
            sum += alpha * ce + (1 - alpha) * temperature * temperature * kl;
        }
        return sum / labels.length;
    }
}
