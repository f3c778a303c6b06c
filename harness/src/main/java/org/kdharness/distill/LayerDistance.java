package org.kdharness.distill;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A distance between a student layer and a teacher layer, as used by a layer mapping: a
 * hint distance (FitNets-style, after the student's projection) or a relation distance
 * (between the two networks' sample-to-sample structures, no projection needed).
 *
 * <p>Why one interface for both: the mapping machinery (pairs, weights, many-to-one
 * averaging) is the same; only what is compared differs. The graph loss is the oracle; an
 * optional hand gradient lets the layer engine train the trial, and is tested against
 * the graph's autodiff of the same class.
 */
public interface LayerDistance {

    /** Which method family a distance belongs to. */
    enum Family {
        /** Compared per example after a projection: {@code d(proj(h_s), h_t)}. */
        HINT,
        /** Compared between the batch's sample-to-sample structures. */
        RELATION
    }

    /** Registry name, as written under {@code sweep.distance}. */
    String name();

    Family family();

    /** Whether the distance compares conv feature maps as maps (no projection, no flattening). */
    default boolean mapsOnly() {
        return false;
    }

    /**
     * The distance, averaged over the batch, between {@code student} and {@code teacher}:
     * {@code [n, d]} rows (for hints the projected student, same width as the teacher), or
     * for {@link #mapsOnly()} distances {@code [n, c, h, w]} maps of equal spatial size.
     */
    SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher);

    /** The hand-derived gradient, or null: then trials using this distance train through the graph. */
    default HandGradient hand() {
        return null;
    }

    /**
     * {@code grad += scale * d(distance)/d(student)} for one batch of host rows {@code [n, d_s]}, {@code [n, d_t]}, or for
     * a {@link #mapsOnly()} distance of host maps {@code [n, c_s, h, w]}, {@code [n, c_t, h, w]} ({@code grad} as the student).
     */
    @FunctionalInterface
    interface HandGradient {
        void add(INDArray student, INDArray teacher, double scale, INDArray grad);
    }
}
