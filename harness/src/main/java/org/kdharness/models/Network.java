package org.kdharness.models;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

/**
 * A teacher or student network as a SameDiff graph, with handles on what distillation
 * needs: the input, the logits and every hidden layer's output.
 *
 * <p>Why: feature distillation taps hidden layers by their 1-based number, so the graph
 * builder records them in order together with their per-example shapes (used to size
 * projections before any data flows).
 *
 * @param sd           the graph
 * @param input        placeholder {@code [n, features]}
 * @param logits       pre-softmax outputs {@code [n, classes]}
 * @param hidden       hidden layer outputs, index 0 = layer 1
 * @param hiddenShapes per-example shape of each hidden output ({@code [width]} or {@code [c, h, w]})
 * @param dropoutMasks placeholders of inverted-dropout masks, with their widths
 * @param params       names of this network's trainable variables (the deployed model)
 * @param paramCount   number of scalars in {@code params}
 * @param dense        the dense layers' parameters (for a CNN, those after its convolutional front)
 * @param conv         the convolutional front, or null for an MLP
 */
public record Network(
        SameDiff sd,
        SDVariable input,
        SDVariable logits,
        List<SDVariable> hidden,
        List<long[]> hiddenShapes,
        List<DropoutMask> dropoutMasks,
        List<String> params,
        long paramCount,
        DenseChain dense,
        ConvChain conv) {

    /** A network whose layer structure is not known (trains through the graph only). */
    public Network(SameDiff sd, SDVariable input, SDVariable logits, List<SDVariable> hidden, List<long[]> hiddenShapes,
                   List<DropoutMask> dropoutMasks, List<String> params, long paramCount) {
        this(sd, input, logits, hidden, hiddenShapes, dropoutMasks, params, paramCount, null, null);
    }

    /**
     * A dropout mask placeholder: training feeds Bernoulli(1-p)/(1-p) values, inference ones.
     *
     * @param name  placeholder name
     * @param width mask width (the layer's width)
     * @param drop  drop probability p
     */
    public record DropoutMask(String name, long width, double drop) {
    }

    /** Number of scalars in one example of hidden layer {@code layer} (1-based). */
    public long hiddenSize(int layer) {
        long n = 1;
        for (long d : hiddenShapes.get(layer - 1)) {
            n *= d;
        }
        return n;
    }
}
