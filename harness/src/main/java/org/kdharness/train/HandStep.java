package org.kdharness.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A training step computed outside SameDiff's graph: an epoch of minibatches, each gathered into
 * buffers allocated once, its gradients computed by the subclass, then one optimiser step
 * ({@link Updates}).
 *
 * <p>Why apart from {@link LayerStep}: the batch loop must draw the same batches in the same order, with the same
 * dropout masks, as {@link BatchIterator} feeds the graph, whatever computes the gradients; the subclass computes only
 * the forward and backward pass.
 */
abstract class HandStep {

    final Updates updates;
    private int iteration;
    private int epoch;

    HandStep(Updates updates) {
        this.updates = updates;
    }

    /** The batch {@code rows} of {@code features} and the label-side arrays, in the step's buffers for that many rows. */
    abstract BatchBuffers load(INDArray features, List<INDArray> labels, int[] rows, Random maskRng);

    /** Forward pass, loss gradient and backward pass into the parameters' gradient buffers. */
    abstract void gradients(BatchBuffers batch);

    /**
     * One epoch of minibatches in {@code order}: the same batches, and the same dropout
     * masks drawn from {@code maskSeed}, as {@link BatchIterator} feeds the graph; it ends early, between two
     * batches, once {@code stop} says so.
     */
    final void epoch(INDArray features, List<INDArray> labels, int[] order, int batchSize, long maskSeed, BooleanSupplier stop) {
        Random maskRng = new Random(maskSeed);
        for (int from = 0; from < order.length && !stop.getAsBoolean(); from += batchSize) {
            int[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
            step(load(features, labels, rows, maskRng));
        }
        epoch++;
    }

    /** One epoch whose batches {@code source} computes as they are drawn (augmentation), in {@code order}; as above. */
    final void epoch(EpochData source, int epochNumber, int[] order, int batchSize, long maskSeed, BooleanSupplier stop) {
        Random maskRng = new Random(maskSeed);
        for (int from = 0; from < order.length && !stop.getAsBoolean(); from += batchSize) {
            int[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
            INDArray x = source.features(epochNumber, rows);
            int[] all = new int[rows.length];
            Arrays.setAll(all, i -> i);
            step(load(x, source.inputs(x, rows), all, maskRng));
        }
        epoch++;
    }

    /** Gradients of one batch by parameter name, without updating (for tests). */
    final Map<String, INDArray> gradients(INDArray features, List<INDArray> labels, int[] rows, long maskSeed) {
        gradients(load(features, labels, rows, new Random(maskSeed)));
        Map<String, INDArray> out = new LinkedHashMap<>();
        updates.params().forEach(p -> out.put(p.name(), p.gradient().dup()));
        return out;
    }

    private void step(BatchBuffers batch) {
        gradients(batch);
        updates.step(iteration, epoch);
        iteration++;
    }
}
