package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained array and the buffer its layer's backward pass writes the gradient into.
 *
 * <p>Why the gradient is allocated on first use: every network the builders make gets an engine twin, also one that
 * only infers (a teacher once trained, a cached or imported one) or that the graph trains; a gradient buffer per
 * parameter there was memory never touched (9.6 MB for the bench's 784-1200-1200-10 teacher). A training step asks for
 * every gradient when it is built, so nothing is allocated mid-step.
 */
public final class Parameter {

    private final String name;
    private final INDArray value;
    private INDArray gradient;

    private Parameter(String name, INDArray value) {
        this.name = name;
        this.value = value;
    }

    /**
     * @param name  the name the model builder gave it (the graph variable sharing the array)
     * @param value the array, updated in place by the optimiser
     */
    public static Parameter of(String name, INDArray value) {
        return new Parameter(name, value);
    }

    public String name() {
        return name;
    }

    public INDArray value() {
        return value;
    }

    /** The gradient buffer, same shape as {@link #value}, zeros when first asked for. */
    public INDArray gradient() {
        if (gradient == null) {
            gradient = value.ulike().assign(0);
        }
        return gradient;
    }

    /** Whether {@link #gradient} has been asked for (tests of what a network that only infers holds). */
    boolean hasGradient() {
        return gradient != null;
    }

    @Override
    public String toString() {
        return "Parameter[" + name + "]";
    }
}
