package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A layer's output and gradient arrays, one per slot and shape, allocated on first use.
 *
 * <p>Why: a trial steps the same shapes thousands of times (the batch, and the last shorter
 * batch, and inference chunks); allocating each op's output per step is what made the SameDiff
 * graph slow and memory-hungry. Shapes are few, so a map per layer holds them all.
 */
final class Buffers {

    private final Map<String, INDArray> arrays = new HashMap<>();
    private final DataType type;

    Buffers(DataType type) {
        this.type = type;
    }

    /** The network's shared input-gradient arrays, once its {@link LayerNet} is built; null before (a layer alone). */
    private GradientPool pool;

    /** Takes input-gradient arrays from {@code pool} from now on. */
    void share(GradientPool pool) {
        this.pool = pool;
    }

    /**
     * The array a backward pass returns as the gradient with respect to its input, of {@code shape}: from the network's
     * pool ({@link GradientPool}), or the layer's own when it is not in a network.
     */
    INDArray inputGradient(long... shape) {
        return pool == null ? get("dx", shape) : pool.take(type, shape);
    }

    /** The array of {@code slot} with {@code shape} (contents undefined: the caller overwrites it). */
    INDArray get(String slot, long... shape) {
        return arrays.computeIfAbsent(slot + Arrays.toString(shape), k -> Nd4j.createUninitialized(type, shape));
    }
}
