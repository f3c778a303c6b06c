package org.kdharness.train;

import org.kdharness.engine.LayerNet;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The layer terms of an objective on the layer engine's taps: which teacher layers a batch gathers for them, and
 * their gradients with respect to the student's taps (the engine's backward pass takes them from there) and to
 * their own trained variables (projections, queries, keys).
 *
 * <p>Why one base: a mapping's hints and relations have hand gradients ({@link EngineHints}); a method's own
 * tap loss (the learned association) is differentiated by SameDiff on its small graph ({@link TapGraph}). The step
 * around them, and what a batch gathers for them, are the same.
 */
abstract class TapTerms {

    /** Per gathered teacher layer: its index among the objective's inputs, and its width. */
    final int[] labelIndex;
    final long[] teacherUnits;

    TapTerms(int[] labelIndex, long[] teacherUnits) {
        this.labelIndex = labelIndex;
        this.teacherUnits = teacherUnits;
    }

    /** Per gathered teacher layer, its index among the objective's inputs. */
    final int[] labelIndex() {
        return labelIndex.clone();
    }

    /** Per gathered teacher layer, its width. */
    final long[] teacherUnits() {
        return teacherUnits.clone();
    }

    /**
     * The terms' gradients after a training forward pass: their own variables' gradient buffers are set, and the
     * gradient with respect to each student tap they read is returned by 1-based tap.
     */
    abstract Map<Integer, INDArray> gradients(LayerNet.Outputs out, BatchBuffers b);
}
