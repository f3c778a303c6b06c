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
 * The short-lived arrays of one network, shared by its layers: the input gradients of a backward pass, the outputs of
 * an inference pass, and a layer's scratch inside one call. A layer takes one for the array it returns, and whoever
 * called it gives the array it passed in back once the call has returned ({@link LayerNet}, and the residual blocks
 * for what their shortcut reads); scratch is given back by the layer before it returns. Each backward pass and each
 * inference pass starts with every array free ({@link #reset}), so an array not given back is lost for that pass only.
 *
 * <p>Why: each layer kept its own input-gradient buffer for the whole step, where PyTorch frees a gradient once the
 * layer below has read it; with about three such maps per convolution-BatchNorm-ReLU unit, resnet8x4's bench row held
 * 1.7-1.9x PyTorch's peak memory. A gradient is read only by the layer below it (and a block's shortcut), so a few
 * arrays per shape serve the whole pass. The same holds for an inference pass, where nothing is kept for a backward
 * pass: each layer's output is read by the next layer only (and a block's shortcut), so a teacher that only infers no
 * longer holds one map per layer (the CIFAR-shaped WRN-16-2 bench row, after the resnet32x4 teacher's forward in the
 * same process, peaked at 3.3x PyTorch's memory).
 */
final class ArrayPool {

    private final Map<String, List<INDArray>> free = new HashMap<>();
    private final Map<String, List<INDArray>> taken = new HashMap<>();
    private int allocated;

    private static String key(DataType type, long[] shape) {
        return type + Arrays.toString(shape);
    }

    /** A free array of {@code shape} (contents undefined: the caller overwrites it), taken until given back. */
    INDArray take(DataType type, long... shape) {
        String k = key(type, shape);
        List<INDArray> available = free.computeIfAbsent(k, x -> new ArrayList<>());
        INDArray a;
        if (available.isEmpty()) {
            a = Nd4j.createUninitialized(type, shape);
            allocated++;
        } else {
            a = available.remove(available.size() - 1);
        }
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

    /**
     * Frees every array (taken or not) now, rather than when the collector finds them: after an inference pass whose
     * outputs were copied out, so that a teacher that has cached its outputs holds none of its maps while its students
     * train. The pool allocates again on the next pass.
     */
    void release() {
        for (Map<String, List<INDArray>> m : List.of(free, taken)) {
            m.values().forEach(list -> list.forEach(a -> {
                if (a.closeable()) {
                    a.close();
                }
            }));
            m.clear();
        }
    }

    /** How many arrays this pool has allocated since it was made, released ones included. */
    int allocated() {
        return allocated;
    }

    /**
     * Gives back each of {@code arrays} once, except those sharing {@code kept}'s data (a block's input, which its
     * caller owns): what a residual block's inference pass no longer reads.
     */
    void giveBackExcept(INDArray kept, INDArray... arrays) {
        for (int i = 0; i < arrays.length; i++) {
            boolean seen = false;
            for (int j = 0; j < i; j++) {
                seen |= arrays[j] == arrays[i];
            }
            if (!seen && arrays[i].data() != kept.data()) {
                giveBack(arrays[i]);
            }
        }
    }

    /** Every array free again: at the start of a backward or inference pass, when nothing of the last one is still read. */
    void reset() {
        taken.forEach((k, out) -> {
            free.get(k).addAll(out);
            out.clear();
        });
    }
}
