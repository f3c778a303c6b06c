package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * One layer of the engine: its forward pass and its backward pass, in one class.
 *
 * <p>Why the layer keeps what its backward needs: a training step is a forward pass followed at
 * once by a backward pass in reverse order, so each layer remembers its own input (or output)
 * from the last forward in training mode; nothing outside it decides which activations to keep.
 * Returned arrays are the layer's own buffers (a training forward's output), reused at the next
 * call with the same shape, or, inside a network, arrays of its {@link ArrayPool} (a backward
 * pass's input gradients, an inference pass's outputs), reused later in the same pass once given
 * back: a caller that keeps one across calls copies it.
 */
public interface Layer {

    /**
     * @param x        the input, {@code [n, c, h, w]} maps or {@code [n, d]} rows
     * @param training batch statistics (BatchNorm) and remembered activations for {@link #backward}
     */
    INDArray forward(INDArray x, boolean training);

    /**
     * The gradient with respect to the last training forward's input; sets (does not add to) the
     * gradients of this layer's parameters.
     */
    INDArray backward(INDArray gradient);

    /**
     * As {@link #backward} for the network's first trained layer, whose input's gradient nothing reads: sets the
     * parameters' gradients and may skip the input's (an MLP's first GEMM back); returns nothing.
     */
    default void backwardParameters(INDArray gradient) {
        backward(gradient);
    }

    /**
     * Takes the short-lived arrays (input gradients, inference outputs, scratch) from {@code pool}, the network's ({@link LayerNet} calls it once,
     * blocks pass it on); a layer returns a gradient that way or as a view of the one it was given, and never keeps one.
     * A layer inside a network is not called on its own: its results would be the pool's, reused after the next reset.
     */
    default void share(ArrayPool pool) {
    }

    /** The trained parameters with their gradient buffers, none by default. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Starts ({@code on}) or ends measuring population statistics: while on, BatchNorm layers sum their training
     * forwards' batch moments, and ending sets their running statistics to the sums' mean and biased variance
     * ("precise BN"). Layers without statistics ignore it; blocks pass it on.
     */
    default void measure(boolean on) {
    }

    /** Non-trained state a saved network keeps (BatchNorm's running statistics), none by default. */
    default List<INDArray> state() {
        return List.of();
    }
}
