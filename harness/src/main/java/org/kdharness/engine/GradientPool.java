package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The input-gradient arrays of one network's backward pass, shared by its layers: a layer takes one for the
 * gradient it returns, and whoever called it gives the gradient it passed in back once the call has returned
 * ({@link LayerNet}, and the residual blocks for the gradient their shortcut reads). Each backward pass starts with
 * every array free ({@link #reset}), so an array not given back is lost for that pass only.
 *
 * <p>Why: each layer kept its own input-gradient buffer for the whole step, where PyTorch frees a gradient once the
 * layer below has read it; with about three such maps per convolution-BatchNorm-ReLU unit, resnet8x4's bench row held
 * 1.7-1.9x PyTorch's peak memory. A gradient is read only by the layer below it (and a block's shortcut), so a few
 * arrays per shape serve the whole pass.
 */
final class GradientPool {

    private final Map<String, List<INDArray>> free = new HashMap<>();
    private final Map<String, List<INDArray>> taken = new HashMap<>();

    private static String key(DataType type, long[] shape) {
        return type + Arrays.toString(shape);
    }

    /** A free array of {@code shape} (contents undefined: the caller overwrites it), taken until given back. */
    INDArray take(DataType type, long... shape) {
        String k = key(type, shape);
        List<INDArray> available = free.computeIfAbsent(k, x -> new ArrayList<>());
        INDArray a = available.isEmpty() ? Nd4j.createUninitialized(type, shape) : available.remove(available.size() - 1);
        taken.computeIfAbsent(k, x -> new ArrayList<>()).add(a);
        return a;
    }

    /**
     * Gives {@code a} back when it is one of this pool's taken arrays (by identity); anything else is left alone. Only
     * the holder of the live reference gives it back: a stale reference given back after the array was taken again
     * would free a live array.
     */
    void giveBack(INDArray a) {
        List<INDArray> out = taken.get(key(a.dataType(), a.shape()));
        if (out == null) {
            return;
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) == a) {
                free.get(key(a.dataType(), a.shape())).add(out.remove(i));
                return;
            }
        }
    }

    /** Every array free again: at the start of a backward pass, when no gradient of the last one is still read. */
    void reset() {
        taken.forEach((k, out) -> {
            free.get(k).addAll(out);
            out.clear();
        });
    }
}
