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
     * The DKD term of one trial, computed from both networks' logits with log-sum-exps
     * over all classes and over the non-target classes, so neither side ever forms
     * {@code 1 - p_gt} (which float rounds to 0 for a confident network, making the
     * non-target distribution 0/0).
     *
     * @param alpha weight of TCKD
     * @param beta  weight of NCKD
     */
    public record Term(double alpha, double beta) implements LogitTerm {

        /** Pushes the target class out of the non-target log-sum-exp (exp(-1e9) is exactly 0). */
        private static final double OUT = 1e9;

        @Override
        public String name() {
            return "dkd";
        }

        @Override
        public boolean needsTeacherProbs() {
            return false;
        }

        @Override
        public boolean needsTeacherLogits() {
            return true;
        }

        /** Log-probabilities of one network at T: {@code [log p_gt, log(1 - p_gt)]} and {@code log q} (non-target). */
        private record Logs(SDVariable gt, SDVariable notGt, SDVariable q) {
        }

        private static Logs logs(SameDiff sd, SDVariable logits, SDVariable y, double temperature) {
            SDVariable z = logits.div(temperature);
            SDVariable all = logSumExp(sd, z);
            SDVariable others = logSumExp(sd, z.sub(y.mul(OUT)));
            // the target's entry of log q is pushed to -1e9 so that exp() of it is 0, not an overflow
            return new Logs(z.mul(y).sum(true, 1).sub(all), others.sub(all), z.sub(others).sub(y.mul(OUT)));
        }

        /** Row-wise {@code log sum exp}, shifted by the row maximum. */
        private static SDVariable logSumExp(SameDiff sd, SDVariable z) {
            SDVariable max = z.max(true, 1);
            return sd.math.log(sd.math.exp(z.sub(max)).sum(true, 1)).add(max);
        }

        @Override
        public Graph build(SameDiff sd, Inputs in, double weight) {
            double t2 = in.temperature() * in.temperature();
            SDVariable y = in.labels(), notY = y.rsub(1.0);
            Logs s = logs(sd, in.logits(), y, in.temperature());
            Logs t = logs(sd, in.teacherLogits(), y, in.temperature());
            SDVariable tckd = sd.math.exp(t.gt()).mul(t.gt().sub(s.gt()))
                    .add(sd.math.exp(t.notGt()).mul(t.notGt().sub(s.notGt()))).mean();
            SDVariable nckd = sd.math.exp(t.q()).mul(t.q().sub(s.q())).mul(notY).sum(1).mean();
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
         * With {@code p = softmax(z/T)}, {@code q} the non-target softmax and
         * {@code b_t = p_t[gt]}: {@code dTCKD/dz_j = T (p_j - b_t [j=gt] - (1-b_t) q_s,j [j!=gt]) / n},
         * {@code dNCKD/dz_j = T (q_s,j - q_t,j) [j!=gt] / n}; every distribution from its own
         * stable softmax, {@code 1 - b_t} as the sum of the teacher's non-target mass.
         */
        @Override
        public HandGradient hand() {
            return (b, weight, out) -> {
                int classes = b.classes();
                double[] ps = new double[classes], qs = new double[classes], pt = new double[classes], qt = new double[classes];
                double scale = weight * b.temperature() / b.rows();
                for (int i = 0, base = 0; i < b.rows(); i++, base += classes) {
                    int g = 0;
                    for (int c = 1; c < classes; c++) {
                        if (b.labels().get(base + c) > b.labels().get(base + g)) {
                            g = c;
                        }
                    }
                    distributions(b.logits(), base, classes, g, b.temperature(), ps, qs);
                    double teacherOthers = distributions(b.teacherLogits(), base, classes, g, b.temperature(), pt, qt);
                    for (int c = 0; c < classes; c++) {
                        double d = c == g ? alpha * (ps[c] - pt[g])
                                : alpha * (ps[c] - teacherOthers * qs[c]) + beta * (qs[c] - qt[c]);
                        out.put(base + c, (float) (out.get(base + c) + scale * d));
                    }
                }
            };
        }

        /**
         * {@code p = softmax(z/T)} and {@code q} = softmax over the non-target classes (0 at
         * {@code g}), each shifted by its own maximum; returns the non-target mass of p.
         */
        private static double distributions(java.nio.FloatBuffer z, int base, int classes, int g, double temperature,
                                            double[] p, double[] q) {
            double max = Double.NEGATIVE_INFINITY, maxOthers = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double v = z.get(base + c) / temperature;
                max = Math.max(max, v);
                if (c != g) {
                    maxOthers = Math.max(maxOthers, v);
                }
            }
            double sum = 0, sumOthers = 0, others = 0;
            for (int c = 0; c < classes; c++) {
                double v = z.get(base + c) / temperature;
                p[c] = Math.exp(v - max);
                sum += p[c];
                q[c] = c == g ? 0.0 : Math.exp(v - maxOthers);
                sumOthers += q[c];
            }
            for (int c = 0; c < classes; c++) {
                p[c] /= sum;
                q[c] /= sumOthers;
                others += c == g ? 0.0 : p[c];
            }
            return others;
        }
    }
}
