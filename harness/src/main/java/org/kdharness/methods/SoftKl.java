package org.kdharness.methods;

import org.kdharness.distill.LogitTerm;
import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * Hinton et al. (2015): {@code KL(softmax(z_t/T) || softmax(z_s/T))}, the mean over the
 * batch (every example, labelled or not). Its response weight {@code (1-alpha) T^2} is the
 * method's; this term is unscaled.
 *
 * <p>Why cross-entropy in the graph: in ND4J 1.0.0-M2.1 the gradient of a dim-wise
 * log-softmax fails at fit time, while {@code softmaxCrossEntropy} with soft labels works.
 * {@code CE(p_t, q_s) = KL(p_t || q_s) + H(p_t)} and {@code H(p_t)} does not depend on the
 * student, so the gradient is the KL's; the recorded metric {@code soft_ce} is the CE and
 * the loss probe subtracts {@code H(p_t)} to report {@code soft_kl}.
 */
public final class SoftKl implements LogitTerm {

    public static final SoftKl INSTANCE = new SoftKl();

    private SoftKl() {
    }

    @Override
    public String name() {
        return "soft_kl";
    }

    @Override
    public boolean needsTeacherProbs() {
        return true;
    }

    @Override
    public Graph build(SameDiff sd, Inputs in, double weight) {
        SDVariable softened = in.logits().div(in.temperature());
        List<SDVariable> losses = weight > 0
                ? List.of(sd.loss.softmaxCrossEntropy("loss_soft", in.teacherProbs(), softened,
                sd.constant(Nd4j.scalar(in.logits().dataType(), weight)), LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0))
                : List.of();
        SDVariable metric = sd.loss.softmaxCrossEntropy("soft_ce", in.teacherProbs(), softened, null,
                LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
        return new Graph(losses, Map.of("soft_ce", metric));
    }

    /** The graph minimises {@code CE = KL + H(p_t)}: the offset is the teacher's mean entropy on the sample. */
    @Override
    public double graphOffset(org.nd4j.linalg.api.ndarray.INDArray teacherProbs) {
        return org.kdharness.distill.SoftTargets.meanEntropyOfProbabilities(teacherProbs);
    }

    /** {@code weight (softmax(z/T) - p_t) / (n T)}. */
    @Override
    public HandGradient hand() {
        return (b, weight, out) -> {
            double scale = weight / (b.rows() * b.temperature());
            double[] q = new double[b.classes()];
            for (int i = 0, base = 0; i < b.rows(); i++, base += b.classes()) {
                HardCrossEntropy.Softmax.row(b.logits(), base, b.classes(), b.temperature(), q);
                for (int c = 0; c < b.classes(); c++) {
                    out.put(base + c, (float) (out.get(base + c) + scale * (q[c] - b.teacherProbs().get(base + c))));
                }
            }
        };
    }
}
