package org.kdharness.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Training data that changes every epoch (augmentation): the epoch's images, and what the
 * objective reads for them.
 *
 * <p>Why the objective's inputs are recomputed: a teacher's outputs on augmented images are not its
 * outputs on the originals, so with augmentation they cannot be cached; they are computed on each
 * epoch's images (the teacher's forward pass over the training split, once per epoch of every trial).
 */
public interface EpochData {

    /** The training split's images for {@code epoch} (1-based), row i being example i's. */
    INDArray features(int epoch);

    /** The objective's inputs for {@code features}, in {@code DistillationObjective#inputs()} order. */
    List<INDArray> inputs(INDArray features);
}
