package org.kdharness.models;

import java.util.List;

/**
 * The convolutional front of a CNN: per block its parameters and geometry, in order.
 *
 * <p>Why: with the geometry known, the dense trainer back-propagates a CNN's blocks by
 * hand (im2col and GEMM) instead of through the graph, whose convolution backward pass
 * cost most of a small CNN's step. Convolutions are stride 1 with SAME padding, optionally
 * followed by 2x2 max pooling, as {@link NetworkBuilder} builds them.
 *
 * @param blocks the blocks, input side first
 */
public record ConvChain(List<Block> blocks) {

    public ConvChain {
        blocks = List.copyOf(blocks);
    }

    /**
     * One block.
     *
     * @param weight     weight variable {@code [k, k, inChannels, outChannels]}
     * @param bias       bias variable {@code [outChannels]}
     * @param kernel     kernel size k
     * @param inChannels input channels
     * @param outChannels output channels (filters)
     * @param height     input height (= width: the images are square)
     * @param pool       whether 2x2 max pooling follows the activation
     */
    public record Block(String weight, String bias, int kernel, int inChannels, int outChannels, int height, boolean pool) {

        /** Output height after the optional pooling. */
        public int outHeight() {
            return pool ? height / 2 : height;
        }
    }
}
