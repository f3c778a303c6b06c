package org.kdharness.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Training data that changes every epoch (augmentation), produced batch by batch: a batch's
 * images, and what the objective reads for them.
 *
 * <p>Why per batch: a teacher's outputs on augmented images are not its outputs on the originals,
 * so with augmentation they cannot be cached; computed for each batch as it is drawn (a teacher
 * forward pass on the batch), they never occupy more memory than one batch, whatever the split's
 * size and the mapped layers' widths.
 */
public interface EpochData {

    /** The images of training examples {@code rows} in {@code epoch} (1-based), row i being example {@code rows[i]}'s. */
    INDArray features(int epoch, int[] rows);

    /** The objective's inputs for those images, in {@code DistillationObjective#inputs()} order, row i for {@code rows[i]}. */
    List<INDArray> inputs(INDArray features, int[] rows);

    /** The objective's inputs for examples {@code rows} as loaded, not augmented (the loss probe's fixed sample). */
    List<INDArray> unaugmented(int[] rows);
}
