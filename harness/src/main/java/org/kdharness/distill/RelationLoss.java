package org.kdharness.distill;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Relational distillation: the student matches the teacher's structure between the
 * samples of a batch rather than each sample's representation, so no projection is needed
 * (both sides become {@code n x n} matrices).
 *
 * <ul>
 * <li>{@code sp}, similarity-preserving KD (Tung &amp; Mori, 2019): {@code G = F F^T} with
 *     each row L2-normalised; {@code d = mean over the n^2 entries of (G_s - G_t)^2}, i.e.
 *     {@code ||G_s - G_t||_F^2 / n^2}.</li>
 * <li>{@code rkd_distance}, RKD distance loss (Park et al., 2019): pairwise Euclidean
 *     distances {@code D_ij} normalised by their mean {@code mu} (over all n^2 pairs, the
 *     diagonal being ~0), {@code d = mean Huber(D_s/mu_s - D_t/mu_t)} with the Huber
 *     threshold at 1.</li>
 * </ul>
 * Representations are flattened per example. RKD's angle term (triplets) is not
 * implemented.
 */
public final class RelationLoss {

    private static final double EPS = 1e-8;

    private RelationLoss() {
    }

    /** The relation distance between student and teacher representations {@code [n, d_s]}, {@code [n, d_t]}. */
    public static SDVariable distance(SameDiff sd, SDVariable student, SDVariable teacher, String distance) {
        return switch (distance) {
            case "sp" -> sd.math.squaredDifference(similarity(sd, student), similarity(sd, teacher)).mean();
            case "rkd_distance" -> huber(sd, normalisedDistances(sd, student).sub(normalisedDistances(sd, teacher))).mean();
            default -> throw new IllegalArgumentException("unknown relation distance '" + distance + "'");
        };
    }

    /** Row-normalised Gram matrix. */
    static SDVariable similarity(SameDiff sd, SDVariable f) {
        SDVariable g = sd.mmul(f, f, false, true, false);
        return g.mul(sd.math.sqrt(g.mul(g).sum(true, 1).add(EPS)).rdiv(1.0));
    }

    /**
     * Pairwise Euclidean distances divided by their mean. Differences are formed explicitly
     * ({@code [n, n, d]}) rather than as {@code |x|^2 + |y|^2 - 2x.y}: that expansion leaves
     * float cancellation noise on the diagonal which the square root's steep slope near 0
     * turns into gradient noise; exact zero differences have exactly zero gradient.
     */
    static SDVariable normalisedDistances(SameDiff sd, SDVariable x) {
        SDVariable diff = sd.expandDims(x, 1).sub(sd.expandDims(x, 0));
        SDVariable d = sd.math.sqrt(diff.mul(diff).sum(2).add(EPS));
        // d * (1/mean): in ND4J 1.0.0-M2.1 the gradient of dividing by a one-element variable is wrong
        return d.mul(d.mean().rdiv(1.0));
    }

    /** Elementwise Huber with threshold 1: {@code 0.5 min(|x|,1)^2 + max(|x|-1, 0)}. */
    static SDVariable huber(SameDiff sd, SDVariable x) {
        SDVariable a = sd.math.abs(x);
        SDVariable inner = sd.scalarMin(a, 1.0);
        return inner.mul(inner).mul(0.5).add(sd.scalarMax(a.sub(1.0), 0.0));
    }
}
