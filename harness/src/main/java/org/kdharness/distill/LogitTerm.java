package org.kdharness.distill;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * A loss term on the student's logits (hard-label cross-entropy, Hinton's soft KL, DKD):
 * its graph loss and, optionally, its hand-derived gradient, in one class.
 *
 * <p>Why together: the graph is the oracle. A hand gradient is only trusted because a test
 * compares it with the graph's autodiff of the same class's loss ({@code TermGradientTest});
 * the layer engine takes a trial only when every term of its objective supplies one.
 */
public interface LogitTerm {

    /** Registry name, also the prefix of its metrics. */
    String name();

    /** Whether the term reads the teacher's softened distribution {@code softmax(z_t/T)}. */
    boolean needsTeacherProbs();

    /**
     * Whether the term reads the teacher's logits themselves: a term that renormalises
     * parts of the teacher's distribution (DKD's non-target classes) must, since float
     * probabilities of a confident teacher round its non-target mass away.
     */
    default boolean needsTeacherLogits() {
        return false;
    }

    /**
     * Adds {@code weight * term} to the graph as loss variables (none when the weight is 0)
     * and its unweighted value as metrics.
     */
    Graph build(SameDiff sd, Inputs in, double weight);

    /**
     * What the graph's value of this term (per unit weight) exceeds the term itself by, a
     * constant the gradient does not see; 0 by default. The loss probe subtracts
     * {@code weight * offset} so that the recorded objective is the formula's.
     *
     * @param teacherProbs the probe sample's {@code softmax(z_t/T)} (null when no term reads it)
     */
    default double graphOffset(org.nd4j.linalg.api.ndarray.INDArray teacherProbs) {
        return 0.0;
    }

    /** The hand-derived gradient, or null: then every trial using this term trains through the graph. */
    default HandGradient hand() {
        return null;
    }

    /**
     * Graph variables the term reads.
     *
     * @param logits       student logits {@code [n, C]}
     * @param labels       one-hot labels {@code [n, C]}
     * @param teacherProbs {@code softmax(z_t/T)} {@code [n, C]}, null unless a term needs it
     * @param teacherLogits {@code z_t} {@code [n, C]}, null unless a term needs it
     * @param labelMask    {@code [n]}: 1 where the label may be used (null = all labelled)
     * @param temperature  T (1 when the method has none)
     */
    record Inputs(SDVariable logits, SDVariable labels, SDVariable teacherProbs, SDVariable teacherLogits, SDVariable labelMask,
                  double temperature) {
    }

    /**
     * @param losses  weighted loss variables SameDiff minimises (summed)
     * @param metrics unweighted values recorded per epoch, by metric name
     */
    record Graph(List<SDVariable> losses, Map<String, SDVariable> metrics) {
    }

    /** One batch in host memory, row-major {@code [rows, classes]}. */
    record Batch(FloatBuffer logits, FloatBuffer labels, FloatBuffer teacherProbs, FloatBuffer teacherLogits, FloatBuffer labelMask,
                 int rows, int classes, double temperature) {
    }

    /** {@code out += weight * d(term)/d(logits)} for one batch. */
    @FunctionalInterface
    interface HandGradient {
        void add(Batch b, double weight, FloatBuffer out);
    }
}
