package org.kdharness.distill;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Hinton et al. (2015) response distillation:
 * {@code L2 = alpha*CE(y, softmax(z_s)) + (1-alpha)*T^2*KL(softmax(z_t/T) || softmax(z_s/T))}.
 *
 * <p>Why cross-entropy for the soft term: in ND4J 1.0.0-M2.1 the gradient of a dim-wise
 * log-softmax fails at fit time, while {@code softmaxCrossEntropy} with soft labels works.
 * {@code CE(p_t, q_s) = KL(p_t || q_s) + H(p_t)} and {@code H(p_t)} does not depend on the
 * student, so the gradient is the KL's; metrics subtract {@code H(p_t)} and report KL.
 * Both terms are means over the batch.
 */
public final class ResponseLoss {

    /**
     * Graph variables of the loss.
     *
     * @param losses  the weighted terms to minimise (each a loss op carrying its weight)
     * @param hardCe  unweighted {@code CE(y, softmax(z_s))}, for metrics
     * @param softCe  unweighted {@code CE(softmax(z_t/T), softmax(z_s/T))}, for metrics (null when alpha = 1)
     */
    public record Terms(List<SDVariable> losses, SDVariable hardCe, SDVariable softCe) {
    }

    private ResponseLoss() {
    }

    /**
     * Adds {@code scale * L2} to {@code sd}.
     *
     * <p>Each term's weight is passed to the loss op itself (a scalar weight with mean
     * reduction gives {@code weight * mean}): in ND4J 1.0.0-M2.1 a loss op's backward pass
     * ignores any gradient flowing into its output, so {@code loss.mul(w)} would scale the
     * value but not the gradient. {@code ResponseLossTest} pins this.
     *
     * @param labels       one-hot labels {@code [n, C]}
     * @param teacherProbs {@code softmax(z_t/T)}, {@code [n, C]} (null when alpha = 1)
     * @param logits       student logits {@code [n, C]}
     * @param scale        outer weight (w2 in {@code w1*Loss1 + w2*Loss2}; 1 otherwise)
     * @param labelMask    {@code [n]}: 1 for examples whose label may be used, 0 for the
     *                     unlabelled transfer pool (null = all labelled). The hard term is then
     *                     the mean over the batch's labelled examples; the soft term uses all.
     */
    public static Terms build(SameDiff sd, SDVariable labels, SDVariable teacherProbs, SDVariable logits,
                              double temperature, double alpha, double scale, SDVariable labelMask) {
        List<SDVariable> losses = new ArrayList<>();
        double hardWeight = alpha * scale;
        if (hardWeight > 0) {
            SDVariable w = labelMask == null ? weight(sd, hardWeight) : labelMask.mul(hardWeight);
            losses.add(sd.loss.softmaxCrossEntropy("loss_hard", labels, logits, w,
                    LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0));
        }
        SDVariable hard = sd.loss.softmaxCrossEntropy("hard_ce", labels, logits, null,
                LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        SDVariable soft = null;
        if (alpha < 1.0) {
            SDVariable softened = logits.div(temperature);
            double softWeight = (1.0 - alpha) * temperature * temperature * scale;
            if (softWeight > 0) {
                losses.add(sd.loss.softmaxCrossEntropy("loss_soft", teacherProbs, softened, weight(sd, softWeight),
                        LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0));
            }
            soft = sd.loss.softmaxCrossEntropy("soft_ce", teacherProbs, softened, null,
                    LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        }
        return new Terms(List.copyOf(losses), hard, soft);
    }

    private static SDVariable weight(SameDiff sd, double w) {
        return sd.constant(Nd4j.scalar((float) w));
    }

    /**
     * Reference value in plain double arithmetic, for tests and for checking the graph:
     * mean over rows of {@code alpha*CE + (1-alpha)*T^2*KL}.
     */
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
