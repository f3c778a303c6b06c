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

    /** The array of {@code slot} with {@code shape} (contents undefined: the caller overwrites it). */
    INDArray get(String slot, long... shape) {
        return arrays.computeIfAbsent(slot + Arrays.toString(shape), k -> Nd4j.createUninitialized(type, shape));
    }
}
