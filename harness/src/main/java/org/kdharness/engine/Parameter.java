package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained array and the buffer its layer's backward pass writes the gradient into.
 *
 * @param name     the name the model builder gave it (the graph variable sharing the array)
 * @param value    the array, updated in place by the optimiser
 * @param gradient same shape as {@code value}
 */
public record Parameter(String name, INDArray value, INDArray gradient) {

    public static Parameter of(String name, INDArray value) {
        return new Parameter(name, value, value.ulike().assign(0));
    }
}
