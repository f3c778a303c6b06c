package org.kdharness.models;

import org.kdharness.engine.ActivationFunction;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.function.UnaryOperator;

/**
 * Inference through a pure MLP's dense chain without the graph: any hidden layer's output
 * or the logits, for every row, in chunks.
 *
 * <p>Why: evaluation (validation every epoch, the final train/validation/test pass,
 * teacher-output preparation, CKA) runs the same forward pass many times; through
 * SameDiff's inference session it cost ~0.3 s per 6,000 rows for a 784-256-256-10
 * student, over a tenth of a training epoch. Dropout is off at inference (the graph is
 * fed masks of ones), so the chain alone defines the output.
 */
public final class DenseForward {

    /** Rows per chunk: large enough for efficient GEMMs, small enough for memory. */
    private static final int CHUNK = 2048;

    private DenseForward() {
    }

    /**
     * Output of layer {@code layer} of {@code net} for every row of {@code x}: hidden layer
     * {@code layer} (1-based, after activation) or, for {@code layer = hidden + 1}, the logits.
     */
    public static INDArray output(Network net, INDArray x, int layer) {
        return output(net, x, layer, CHUNK, null);
    }

    /**
     * As {@link #output(Network, INDArray, int)} for a network with a convolutional front:
     * {@code front} maps a chunk of input rows to the flattened features the dense layers
     * read, and {@code layer} counts dense layers only.
     *
     * @param chunk rows per chunk (smaller for CNNs, whose im2col buffers grow with it)
     */
    public static INDArray output(Network net, INDArray x, int layer, int chunk, UnaryOperator<INDArray> front) {
        DenseChain chain = net.dense();
        ActivationFunction activation = ActivationFunction.of(chain.activation());
        INDArray[] w = new INDArray[layer];
        INDArray[] b = new INDArray[layer];
        for (int l = 0; l < layer; l++) {
            w[l] = net.sd().getVariable(chain.weights().get(l)).getArr();
            b[l] = net.sd().getVariable(chain.biases().get(l)).getArr();
        }
        long n = x.size(0);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, w[layer - 1].size(1));
        // one buffer per layer, reused by every chunk (allocating ~10 MB per layer per chunk
        // made the pass a third slower than its GEMMs)
        long rowsPerChunk = Math.min(n, chunk);
        INDArray[] buffers = new INDArray[layer];
        for (int l = 0; l < layer; l++) {
            buffers[l] = Nd4j.createUninitialized(DataType.FLOAT, rowsPerChunk, w[l].size(1));
        }
        INDArray ones = Nd4j.ones(DataType.FLOAT, rowsPerChunk, 1);
        for (long from = 0; from < n; from += rowsPerChunk) {
            long to = Math.min(n, from + rowsPerChunk);
            long rows = to - from;
            INDArray in = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
            if (front != null) {
                in = front.apply(in);
            }
            for (int l = 0; l < layer; l++) {
                INDArray z = rows == rowsPerChunk ? buffers[l] : buffers[l].get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
                INDArray one = rows == rowsPerChunk ? ones : ones.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
                // z = 1 b + in W: the bias broadcast as a rank-1 GEMM, then accumulated into
                Nd4j.gemm(one, b[l], z, false, false, 1.0, 0.0);
                Nd4j.gemm(in, w[l], z, false, false, 1.0, 1.0);
                if (l < chain.hiddenLayers()) {
                    activation.forward(z, z);
                }
                in = z;
            }
            out.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(in);
        }
        return out;
    }

    /** Whether {@link #output} covers {@code net}. */
    public static boolean covers(Network net) {
        return net.dense() != null && net.conv() == null && ActivationFunction.of(net.dense().activation()) != null;
    }
}
