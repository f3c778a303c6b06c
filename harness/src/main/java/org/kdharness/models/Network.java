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
 * @param trainingFlag placeholder {@code [n, 1]} fed ones in training and zeros at inference (BatchNorm uses
 *                     the batch's statistics, or its running ones), or null for a network without BatchNorm
 * @param batchNorms   the network's BatchNorm layers, in order
 * @param engine       the same network as the engine's layers, sharing this graph's arrays (parameters and running
 *                     statistics), or null where the graph alone trains it
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
        String trainingFlag,
        List<BatchNorm> batchNorms,
        org.kdharness.engine.LayerNet engine) {

    /** A network whose layer structure is not known (a loss graph's view of taps; trains through the graph only). */
    public Network(SameDiff sd, SDVariable input, SDVariable logits, List<SDVariable> hidden, List<long[]> hiddenShapes,
                   List<DropoutMask> dropoutMasks, List<String> params, long paramCount) {
        this(sd, input, logits, hidden, hiddenShapes, dropoutMasks, params, paramCount, null, List.of(), null);
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

    /**
     * One BatchNorm layer: the constants holding its running statistics (what inference normalises
     * with, and what a cached teacher keeps beside its parameters) and the graph variables of the
     * current batch's statistics (what training normalises with, and what updates the running ones).
     */
    public record BatchNorm(String runningMean, String runningVar, String batchMean, String batchVar) {
    }

    /** The non-trained state a saved network needs beside its parameters: every running statistic. */
    public List<String> state() {
        List<String> out = new java.util.ArrayList<>();
        batchNorms.forEach(b -> {
            out.add(b.runningMean());
            out.add(b.runningVar());
        });
        return out;
    }

    /** What inference feeds besides the input, for {@code n} rows: dropout masks of ones, the training flag at zero. */
    public java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> inferenceInputs(long n) {
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> out = new java.util.HashMap<>();
        for (DropoutMask m : dropoutMasks) {
            out.put(m.name(), org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, m.width()));
        }
        if (trainingFlag != null) {
            out.put(trainingFlag, org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, 1));
        }
        return out;
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
