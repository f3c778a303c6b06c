package org.kdharness.methods;

import org.kdharness.distill.LogitTerm;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * {@code CE(y, softmax(z_s))}, the mean over the batch's labelled examples (all of them
 * unless the trial uses a transfer pool).
 *
 * <p>The weight is passed to the loss op itself (a scalar weight with mean reduction gives
 * {@code weight * mean}): in ND4J 1.0.0-M2.1 a loss op's backward pass ignores any gradient
 * flowing into its output, so {@code loss.mul(w)} would scale the value but not the
 * gradient ({@code ResponseLossTest} pins this).
 */
public final class HardCrossEntropy implements LogitTerm {

    public static final HardCrossEntropy INSTANCE = new HardCrossEntropy();

    private HardCrossEntropy() {
    }

    @Override
    public String name() {
        return "hard_ce";
    }

    @Override
    public boolean needsTeacherProbs() {
        return false;
    }

    @Override
    public Graph build(SameDiff sd, Inputs in, double weight) {
        List<SDVariable> losses = List.of();
        if (weight > 0) {
            SDVariable w = in.labelMask() == null ? sd.constant(Nd4j.scalar(in.logits().dataType(), weight)) : in.labelMask().mul(weight);
            losses = List.of(sd.loss.softmaxCrossEntropy("loss_hard", in.labels(), in.logits(), w,
                    LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0));
        }
        SDVariable metric = sd.loss.softmaxCrossEntropy("hard_ce", in.labels(), in.logits(), null,
                LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        return new Graph(losses, Map.of("hard_ce", metric));
    }

    /** {@code weight * mask_i (softmax(z_i) - y_i) / n_labelled}. */
    @Override
    public HandGradient hand() {
        return (b, weight, out) -> {
            double labelled = b.rows();
            if (b.labelMask() != null) {
                labelled = 0;
                for (int i = 0; i < b.rows(); i++) {
                    labelled += b.labelMask().get(i);
                }
            }
            if (labelled == 0) {
                return;
            }
            double scale = weight / labelled;
            double[] p = new double[b.classes()];
            for (int i = 0, base = 0; i < b.rows(); i++, base += b.classes()) {
                double row = b.labelMask() == null ? scale : scale * b.labelMask().get(i);
                if (row == 0) {
                    continue;
                }
                Softmax.row(b.logits(), base, b.classes(), 1.0, p);
                for (int c = 0; c < b.classes(); c++) {
                    out.put(base + c, (float) (out.get(base + c) + row * (p[c] - b.labels().get(base + c))));
                }
            }
        };
    }

    /** Stable softmax of one row of a host buffer, for the hand gradients. */
    static final class Softmax {
        private Softmax() {
        }

        static void row(FloatBuffer z, int base, int classes, double temperature, double[] out) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, z.get(base + c));
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                out[c] = Math.exp((z.get(base + c) - max) / temperature);
                sum += out[c];
            }
            for (int c = 0; c < classes; c++) {
                out[c] /= sum;
            }
        }
    }
}
