package org.kdharness.train;

import org.kdharness.engine.LayerNet;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The layer terms of an objective on the layer engine's taps: which teacher layers a batch gathers for them, and
 * their gradients with respect to the student's taps (the engine's backward pass takes them from there) and to
 * their own trained variables (projections, queries, keys).
 *
 * <p>Why an interface: a mapping's hints and relations have hand gradients ({@link EngineHints}); a method's own
 * tap loss (the learned association) is differentiated by SameDiff on its small graph ({@link TapGraph}). The step
 * around them is the same.
 */
interface TapTerms {

    /** Per gathered teacher layer, its index among the objective's inputs. */
    int[] labelIndex();

    /** Per gathered teacher layer, its width. */
    long[] teacherUnits();

    /**
     * Per gathered teacher layer, the width of {@code DenseBuffers.hintGrad}'s buffer: one unit, as the engine's terms
     * keep their gradient buffers themselves (the dense step sizes them by what it compares).
     */
    default long[] comparedUnits() {
        long[] one = new long[labelIndex().length];
        java.util.Arrays.fill(one, 1);
        return one;
    }

    /**
     * The terms' gradients after a training forward pass: their own variables' gradient buffers are set, and the
     * gradient with respect to each student tap they read is returned by 1-based tap.
     */
    Map<Integer, INDArray> gradients(LayerNet.Outputs out, DenseBuffers b);
}
