package org.kdharness.methods;

import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.LogitTerm;
import org.kdharness.distill.MethodParameter;
import org.kdharness.distill.TrialSpec;
import org.kdharness.distill.WeightedTerm;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decoupled knowledge distillation (Zhao et al., CVPR 2022), as mdistiller's {@code DKD}:
 * {@code CE(y, softmax(z_s)) + alpha_dkd * TCKD + beta_dkd * NCKD} with
 * <ul>
 * <li>{@code TCKD = T^2 * mean_i KL(b_t || b_s)}, {@code b = [p_gt, 1 - p_gt]} the binary
 *     target/non-target split of {@code p = softmax(z/T)};</li>
 * <li>{@code NCKD = T^2 * mean_i KL(q_t || q_s)}, {@code q = softmax over the non-target
 *     classes of z/T} (mdistiller's {@code softmax(z/T - 1000 gt)}).</li>
 * </ul>
 * mdistiller also ramps the DKD weight linearly over its first 20 epochs; this
 * implementation does not (the weights are constant), which the README states.
 *
 * <p>Both parts need the true label of every example, so DKD cannot use an unlabelled
 * transfer pool ({@link #needsEveryLabel()}).
 */
public final class Dkd implements DistillationMethod {

    /** Keeps {@code log} finite where the teacher puts (float) zero mass. */
    private static final double TINY = 1e-20;

    @Override
    public String name() {
        return "dkd";
    }

    @Override
    public Set<Axis> axes() {
        return Set.of(Axis.TEMPERATURE);
    }

    @Override
    public List<MethodParameter> parameters() {
        return List.of(new MethodParameter("dkd_alpha", List.of(1.0), 0, 1e6, "weight of TCKD"),
                new MethodParameter("dkd_beta", List.of(8.0), 0, 1e6, "weight of NCKD"));
    }

    @Override
    public boolean needsEveryLabel() {
        return true;
    }

    @Override
    public List<WeightedTerm> logitTerms(TrialSpec trial) {
        return List.of(new WeightedTerm(1.0, HardCrossEntropy.INSTANCE),
                new WeightedTerm(1.0, new Term(trial.param("dkd_alpha"), trial.param("dkd_beta"))));
    }

    /**
     * The DKD term of one trial.
     *
     * @param alpha weight of TCKD
     * @param beta  weight of NCKD
     */
    public record Term(double alpha, double beta) implements LogitTerm {

        @Override
        public String name() {
            return "dkd";
        }

        @Override
        public boolean needsTeacherProbs() {
            return true;
        }

        @Override
        public Graph build(SameDiff sd, Inputs in, double weight) {
            double t2 = in.temperature() * in.temperature();
            SDVariable y = in.labels(), notY = y.rsub(1.0);
            SDVariable zt = in.logits().div(in.temperature());
            SDVariable shifted = zt.sub(zt.max(true, 1));
            SDVariable e = sd.math.exp(shifted);
            SDVariable logAll = sd.math.log(e.sum(true, 1));
            SDVariable logOthers = sd.math.log(e.mul(notY).sum(true, 1));
            SDVariable logGt = shifted.mul(y).sum(true, 1).sub(logAll);   // log p_gt
            SDVariable logNotGt = logOthers.sub(logAll);                    // log (1 - p_gt)
            SDVariable p = in.teacherProbs();
            SDVariable gt = p.mul(y).sum(true, 1), rest = gt.rsub(1.0);
            SDVariable tckd = gt.mul(sd.math.log(gt.add(TINY)).sub(logGt))
                    .add(rest.mul(sd.math.log(rest.add(TINY)).sub(logNotGt))).mean();
            SDVariable q = p.mul(notY).mul(rest.add(TINY).rdiv(1.0));      // teacher over non-targets
            SDVariable logQs = shifted.sub(logOthers);                      // student log q (non-target entries)
            SDVariable nckd = q.mul(sd.math.log(q.add(TINY)).sub(logQs)).sum(1).mean();
            SDVariable tckdT = sd.identity("dkd_tckd", tckd.mul(t2));
            SDVariable nckdT = sd.identity("dkd_nckd", nckd.mul(t2));
            SDVariable value = tckdT.mul(alpha).add(nckdT.mul(beta));
            // plain ops (not a loss op), so an outer weight does scale the gradient
            List<SDVariable> losses = weight > 0 ? List.of(sd.identity("loss_dkd", value.mul(weight))) : List.of();
            Map<String, SDVariable> metrics = new LinkedHashMap<>();
            metrics.put("dkd_tckd", tckdT);
            metrics.put("dkd_nckd", nckdT);
            return new Graph(losses, metrics);
        }

        /**
         * With {@code p = softmax(z/T)}, {@code q_s} the student's non-target softmax and
         * {@code b_t = p_t[gt]}: {@code dTCKD/dz_j = T (p_j - b_t [j=gt] - (1-b_t) q_s,j [j!=gt]) / n},
         * {@code dNCKD/dz_j = T (q_s,j - q_t,j) [j!=gt] / n}.
         */
        @Override
        public HandGradient hand() {
            return (b, weight, out) -> {
                int classes = b.classes();
                double[] p = new double[classes];
                double scale = weight * b.temperature() / b.rows();
                for (int i = 0, base = 0; i < b.rows(); i++, base += classes) {
                    HardCrossEntropy.Softmax.row(b.logits(), base, classes, b.temperature(), p);
                    int g = 0;
                    for (int c = 1; c < classes; c++) {
                        if (b.labels().get(base + c) > b.labels().get(base + g)) {
                            g = c;
                        }
                    }
                    double bt = b.teacherProbs().get(base + g), others = 1.0 - p[g];
                    double teacherOthers = 1.0 - bt + TINY;
                    for (int c = 0; c < classes; c++) {
                        double d;
                        if (c == g) {
                            d = alpha * (p[c] - bt);
                        } else {
                            double qs = p[c] / others, qt = b.teacherProbs().get(base + c) / teacherOthers;
                            d = alpha * (p[c] - (1.0 - bt) * qs) + beta * (qs - qt);
                        }
                        out.put(base + c, (float) (out.get(base + c) + scale * d));
                    }
                }
            };
        }
    }
}
