package org.kdharness.train;

import org.kdharness.models.ConvChain;
import org.kdharness.engine.ActivationFunction;
import org.kdharness.models.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward and backward passes of a CNN's convolutional blocks for the dense trainer:
 * im2col, one GEMM per convolution, activation and 2x2 max pooling, ending in the
 * flattened NCHW features the dense layers read.
 *
 * <p>Why: through the graph, ND4J 1.0.0-M2.1 spent 25 ms per step in the convolution
 * backward op of a single 1->16-channel layer (and allocated every intermediate), about
 * three quarters of a small CNN student's step. Here the same arithmetic is GEMMs on
 * arrays allocated once per batch size, with the gathers and scatters done by
 * {@link ConvKernels} on Java arrays. The weights and biases are the graph's arrays (the
 * loss probe still reads the graph; inference uses {@link #forInference}). CPU backend only
 * ({@link #supports}); {@code DenseStepTest} compares the gradients with the graph's.
 */
final class ConvFront {

    /** Per batch size: every array one step touches. */
    private static final class Buffers {
        final int rows;
        final float[] input;
        final INDArray[] col, z, a;
        final float[][] colH, zH, aH, pooledH;
        /** Per block, its bias + ReLU + pooling through ND4J's pooling op when it has both, else null. */
        final PooledRelu[] pooledRelu;
        /** Backward-pass arrays, allocated on the first backward pass (inference needs none). */
        INDArray[] dz, dcol;
        float[][] dOutH, dAH, dcolH;
        final INDArray flat, flatGradient;
        final float[] flatH;
        /** Per block, its bias or (backward) its gradient. */
        final float[][] bias;

        Buffers(int rows, long inputWidth, List<ConvChain.Block> blocks, boolean relu) {
            this.rows = rows;
            int n = blocks.size();
            bias = new float[n][];
            input = new float[Math.toIntExact(rows * inputWidth)];
            col = new INDArray[n];
            z = new INDArray[n];
            a = new INDArray[n];
            colH = new float[n][];
            zH = new float[n][];
            aH = new float[n][];
            pooledH = new float[n][];
            pooledRelu = new PooledRelu[n];
            for (int i = 0; i < n; i++) {
                ConvChain.Block b = blocks.get(i);
                int positions = Math.multiplyExact(rows, b.height() * b.height());
                int width = b.kernel() * b.kernel() * b.inChannels();
                bias[i] = new float[b.outChannels()];
                col[i] = Nd4j.create(DataType.FLOAT, positions, width);
                // Java arrays index with int: fail loudly rather than wrap for huge batches
                colH[i] = new float[Math.multiplyExact(positions, width)];
                z[i] = Nd4j.create(DataType.FLOAT, positions, b.outChannels());
                if (relu && b.pool()) {
                    pooledRelu[i] = new PooledRelu(z[i], rows, b.height(), b.outChannels());
                    continue;
                }
                a[i] = Nd4j.create(DataType.FLOAT, positions, b.outChannels());
                zH[i] = new float[Math.multiplyExact(positions, b.outChannels())];
                aH[i] = new float[positions * b.outChannels()];
                pooledH[i] = b.pool() ? new float[rows * b.outHeight() * b.outHeight() * b.outChannels()] : null;
            }
            ConvChain.Block last = blocks.get(n - 1);
            int features = last.outChannels() * last.outHeight() * last.outHeight();
            flat = Nd4j.create(DataType.FLOAT, rows, features);
            flatGradient = Nd4j.create(DataType.FLOAT, rows, features);
            flatH = new float[rows * features];
        }

        void allocateBackward(List<ConvChain.Block> blocks) {
            if (dz != null) {
                return;
            }
            int n = blocks.size();
            dz = new INDArray[n];
            dcol = new INDArray[n];
            dOutH = new float[n][];
            dAH = new float[n][];
            dcolH = new float[n][];
            for (int i = 0; i < n; i++) {
                ConvChain.Block b = blocks.get(i);
                int positions = rows * b.height() * b.height();
                int width = b.kernel() * b.kernel() * b.inChannels();
                dz[i] = Nd4j.create(DataType.FLOAT, positions, b.outChannels());
                dAH[i] = pooledRelu[i] != null ? null : new float[positions * b.outChannels()];
                dOutH[i] = b.pool() ? new float[rows * b.outHeight() * b.outHeight() * b.outChannels()] : dAH[i];
                if (i > 0) {
                    dcol[i] = Nd4j.create(DataType.FLOAT, positions, width);
                    dcolH[i] = new float[positions * width];
                }
            }
        }

        /** The block's output (after pooling) as NHWC. */
        float[] out(int i, ConvChain.Block b) {
            return b.pool() ? pooledH[i] : aH[i];
        }
    }

    private final List<ConvChain.Block> blocks;
    private final ActivationFunction activation;
    private final INDArray[] weights;
    private final INDArray[] weightGradients;
    private final INDArray[] biases;
    private final INDArray[] biasGradients;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private Buffers current;

    /**
     * @param weights         per block, the graph's {@code [k, k, in, out]} weight array
     * @param weightGradients per block, the gradient array the updater reads (same shape);
     *                        null with {@code biasGradients} for inference only
     */
    ConvFront(ConvChain chain, ActivationFunction activation, INDArray[] weights, INDArray[] weightGradients,
              INDArray[] biases, INDArray[] biasGradients) {
        this.blocks = chain.blocks();
        this.activation = activation;
        this.weights = new INDArray[weights.length];
        this.weightGradients = new INDArray[weights.length];
        for (int i = 0; i < weights.length; i++) {
            ConvChain.Block b = blocks.get(i);
            long rowsOfW = (long) b.kernel() * b.kernel() * b.inChannels();
            // [k, k, in, out] in 'c' order is the [k*k*in, out] matrix the im2col columns multiply
            this.weights[i] = weights[i].reshape(rowsOfW, b.outChannels());
            this.weightGradients[i] = weightGradients == null ? null : weightGradients[i].reshape(rowsOfW, b.outChannels());
        }
        this.biases = biases;
        this.biasGradients = biasGradients;
    }

    /** An inference-only front over {@code net}'s blocks, or null when the arrays are not on the host. */
    static ConvFront forInference(Network net) {
        ConvChain chain = net.conv();
        int n = chain.blocks().size();
        INDArray[] w = new INDArray[n], b = new INDArray[n];
        for (int i = 0; i < n; i++) {
            w[i] = net.sd().getVariable(chain.blocks().get(i).weight()).getArr();
            b[i] = net.sd().getVariable(chain.blocks().get(i).bias()).getArr();
        }
        ActivationFunction activation = ActivationFunction.of(net.dense().activation());
        if (activation == null || !supports(w) || !supports(b)) {
            return null;
        }
        return new ConvFront(chain, activation, w, null, b, null);
    }

    /** Whether the arrays live where the Java loops can reach them. */
    static boolean supports(INDArray... params) {
        return DenseKernels.host(params);
    }

    /** The flattened features of a batch {@code [rows, C*H*W]} (NCHW), for the dense layers. */
    INDArray forward(INDArray input) {
        INDArray x = DenseKernels.host(input) ? input : input.dup('c');
        int rows = Math.toIntExact(x.size(0));
        Buffers b = buffers.computeIfAbsent(rows, n -> new Buffers(n, x.size(1), blocks, activation == ActivationFunction.RELU));
        current = b;
        x.data().asNioFloat().get(0, b.input);
        float[] in = b.input;
        for (int i = 0; i < blocks.size(); i++) {
            ConvChain.Block blk = blocks.get(i);
            int positions = rows * blk.height() * blk.height();
            int size = positions * blk.outChannels();
            ConvKernels.im2col(in, i == 0, rows, blk.height(), blk.inChannels(), blk.kernel(), b.colH[i]);
            b.col[i].data().asNioFloat().put(0, b.colH[i]);
            Nd4j.gemm(b.col[i], weights[i], b.z[i], false, false, 1.0, 0.0);
            biases[i].data().asNioFloat().get(0, b.bias[i]);
            if (b.pooledRelu[i] != null) {
                in = b.pooledRelu[i].forward(b.bias[i]);
                continue;
            }
            b.z[i].data().asNioFloat().get(0, b.zH[i]);
            if (activation == ActivationFunction.RELU) {
                ConvKernels.addBiasRelu(b.zH[i], b.bias[i], b.aH[i], size);
            } else {
                ConvKernels.addBias(b.zH[i], b.bias[i], size);
                b.z[i].data().asNioFloat().put(0, b.zH[i]);
                activation.forward(b.z[i], b.a[i]);
                b.a[i].data().asNioFloat().get(0, b.aH[i]);
            }
            if (blk.pool()) {
                ConvKernels.maxPool(b.aH[i], rows, blk.height(), blk.outChannels(), b.pooledH[i]);
            }
            in = b.out(i, blk);
        }
        ConvChain.Block last = blocks.get(blocks.size() - 1);
        ConvKernels.flatten(in, b.flatH, rows, last.outHeight(), last.outChannels(), true);
        b.flat.data().asNioFloat().put(0, b.flatH);
        return b.flat;
    }

    /** Where the dense layers write the gradient with respect to {@link #forward}'s output. */
    INDArray flatGradient() {
        return current.flatGradient;
    }

    /** Block {@code i}'s gradient at its output ({@code dOutH}) to its pre-activation gradient, in {@code dAH} and {@code dz}. */
    private void preActivationGradient(Buffers b, int i, ConvChain.Block blk, int rows, int size) {
        if (b.pooledRelu[i] != null) {
            b.pooledRelu[i].backward(b.dOutH[i], b.dz[i], b.bias[i]);
            return;
        }
        if (blk.pool()) {
            ConvKernels.maxUnpool(b.aH[i], b.pooledH[i], b.dOutH[i], rows, blk.height(), blk.outChannels(), b.dAH[i]);
        }
        if (activation == ActivationFunction.RELU) {
            ConvKernels.reluBackward(b.zH[i], b.dAH[i], size);
            b.dz[i].data().asNioFloat().put(0, b.dAH[i]);
        } else {
            // the pre-activation gradient goes through a, reused as scratch
            b.a[i].data().asNioFloat().put(0, b.dAH[i]);
            activation.backward(b.z[i], b.a[i], b.dz[i]);
            b.dz[i].data().asNioFloat().get(0, b.dAH[i]);
        }
    }

    /** Back-propagates {@link #flatGradient} into the blocks' weight and bias gradients. */
    void backward() {
        Buffers b = current;
        b.allocateBackward(blocks);
        int rows = b.rows;
        ConvChain.Block last = blocks.get(blocks.size() - 1);
        b.flatGradient.data().asNioFloat().get(0, b.flatH);
        ConvKernels.flatten(b.dOutH[blocks.size() - 1], b.flatH, rows, last.outHeight(), last.outChannels(), false);
        for (int i = blocks.size() - 1; i >= 0; i--) {
            ConvChain.Block blk = blocks.get(i);
            int positions = rows * blk.height() * blk.height();
            int size = positions * blk.outChannels();
            preActivationGradient(b, i, blk, rows, size);
            Nd4j.gemm(b.col[i], b.dz[i], weightGradients[i], true, false, 1.0, 0.0);
            if (b.pooledRelu[i] == null) {
                ConvKernels.columnSums(b.dAH[i], size, b.bias[i]);
            }
            biasGradients[i].data().asNioFloat().put(0, b.bias[i]);
            if (i > 0) {
                Nd4j.gemm(b.dz[i], weights[i], b.dcol[i], false, true, 1.0, 0.0);
                b.dcol[i].data().asNioFloat().get(0, b.dcolH[i]);
                ConvChain.Block below = blocks.get(i - 1);
                ConvKernels.col2im(b.dcolH[i], rows, blk.height(), blk.inChannels(), blk.kernel(), b.dOutH[i - 1]);
                if (below.outHeight() != blk.height() || below.outChannels() != blk.inChannels()) {
                    throw new IllegalStateException("block " + i + " does not continue block " + (i - 1));
                }
            }
        }
    }
}
