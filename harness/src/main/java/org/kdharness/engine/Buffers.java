package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A layer's arrays: its own, one per slot and shape, allocated on first use, and the short-lived ones it takes from
 * its network's {@link ArrayPool}.
 *
 * <p>Why: a trial steps the same shapes thousands of times (the batch, and the last shorter
 * batch, and inference chunks); allocating each op's output per step is what made the SameDiff
 * graph slow and memory-hungry. Shapes are few, so a map per layer holds them all. What a training step keeps from
 * the forward pass to the backward pass (a layer's training output) is the layer's own; what is read once and then
 * dead (an input gradient, an inference output, scratch) comes from the pool.
 */
final class Buffers {

    private final Map<String, INDArray> arrays = new HashMap<>();
    private final DataType type;

    Buffers(DataType type) {
        this.type = type;
    }

    /** The network's shared arrays, once its {@link LayerNet} is built; null before (a layer alone). */
    private ArrayPool pool;

    /** Takes short-lived arrays from {@code pool} from now on. */
    void share(ArrayPool pool) {
        this.pool = pool;
    }

    /**
     * The array a backward pass returns as the gradient with respect to its input, of {@code shape}: from the network's
     * pool, or the layer's own when it is not in a network.
     */
    INDArray inputGradient(long... shape) {
        return pool == null ? get("dx", shape) : pool.take(type, shape);
    }

    /**
     * The array a forward pass returns, of {@code shape}: in training the layer's own (the layer above keeps it for
     * the backward pass); in inference from the network's pool (read by the next layer only), or the layer's own when
     * it is not in a network.
     */
    INDArray output(boolean training, long... shape) {
        return training || pool == null ? get("y", shape) : pool.take(type, shape);
    }

    /** Scratch of {@code shape} for one call, given back by {@link #release} before the call returns. */
    INDArray scratch(long... shape) {
        return pool == null ? get("scratch", shape) : pool.take(type, shape);
    }

    /** Gives back scratch from {@link #scratch}. */
    void release(INDArray scratch) {
        if (pool != null) {
            pool.giveBack(scratch);
        }
    }

    /**
     * A column of {@code n} ones, {@code [n, 1]} (a row as its {@code [1, n]} reshape: the same data): sums over rows or
     * examples as GEMMs (a bias, channel sums, a weight gradient summed over examples). Made once per length.
     */
    INDArray ones(long n) {
        return arrays.computeIfAbsent("ones#" + n, k -> Nd4j.ones(type, n, 1));
    }

    /**
     * The array of {@code slot} with {@code shape}, zeros when made; the caller writes only parts of it and leaves the
     * rest zero (a zero-padded copy's interior), so it is not cleared again on each use.
     */
    INDArray zeros(String slot, long... shape) {
        return arrays.computeIfAbsent("zeros#" + slot + Arrays.toString(shape), k -> Nd4j.zeros(type, shape));
    }

    /** The array of {@code slot} with {@code shape} (contents undefined: the caller overwrites it). */
    INDArray get(String slot, long... shape) {
        return arrays.computeIfAbsent(slot + Arrays.toString(shape), k -> Nd4j.createUninitialized(type, shape));
    }
}
