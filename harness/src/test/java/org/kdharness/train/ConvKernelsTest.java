package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The convolutional front's pooling paths against plain reference code: pooling before
 * bias and ReLU through ND4J's op ({@link PooledRelu}) and the Java loops must route every
 * gradient exactly where ReLU then max pooling would, ties and all-negative windows included.
 */
class ConvKernelsTest {

    /** Pre-activations: Gaussian, with deliberate exact ties inside pooling windows. */
    private static float[] preActivationsWithTies(int batch, int h, int c, long seed) {
        Random r = new Random(seed);
        float[] z = new float[batch * h * h * c];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i + c < z.length; i += 7 * c + 3) {
            z[i + c] = z[i];
        }
        return z;
    }

    /**
     * Plain reference for bias, ReLU and 2x2 max pooling and its backward: the first
     * (row-major) maximum of each window gets the gradient when that maximum is positive.
     *
     * @return {@code [pooled, dz, biasGradient]}
     */
    private static float[][] reference(float[] z, float[] bias, float[] dOut, int batch, int h, int c) {
        float[] a = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = Math.max(z[i] + bias[i % c], 0f);
        }
        int o = h / 2;
        float[] pooled = new float[batch * o * o * c], dz = new float[z.length], db = new float[c];
        int r = 0;
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < o; y++) {
                for (int x = 0; x < o; x++) {
                    for (int ch = 0; ch < c; ch++, r++) {
                        int best = -1;
                        float max = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                int at = ((b * h + 2 * y + dy) * h + 2 * x + dx) * c + ch;
                                if (a[at] > max) {
                                    max = a[at];
                                    best = at;
                                }
                            }
                        }
                        pooled[r] = max;
                        if (max > 0) {
                            dz[best] = dOut[r];
                        }
                    }
                }
            }
        }
        for (int i = 0; i < dz.length; i++) {
            db[i % c] += dz[i];
        }
        return new float[][]{pooled, dz, db};
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {6, 7})
    void poolingThroughNd4jMatchesTheReferenceForwardAndBackward(int h) {
        // h = 7: floor pooling to 3x3; the last row and column belong to no window and get no gradient
        int batch = 3, c = 5, o = h / 2;
        float[] z = preActivationsWithTies(batch, h, c, 11);
        float[] bias = {0.3f, -0.2f, 0f, 1.5f, -2f};
        int pooledSize = batch * o * o * c;
        float[] dOut = new float[pooledSize];
        Random r = new Random(5);
        for (int i = 0; i < dOut.length; i++) {
            dOut[i] = (float) r.nextGaussian();
        }
        float[][] expected = reference(z, bias, dOut, batch, h, c);

        INDArray zArray = Nd4j.create(z, new long[]{batch * h * h, c}, DataType.FLOAT);
        PooledRelu block = new PooledRelu(zArray, batch, h, c);
        assertArrayEquals(expected[0], block.forward(bias));
        INDArray dz = Nd4j.valueArrayOf(new long[]{batch * h * h, c}, Float.NaN, DataType.FLOAT);
        float[] db = new float[c];
        java.util.Arrays.fill(db, Float.NaN);
        block.backward(dOut.clone(), dz, db);
        assertArrayEquals(expected[1], dz.data().asFloat(), "every position written, each gradient at its window's first maximum");
        assertArrayEquals(expected[2], db, 1e-5f);

        // the Java loops of the other activations' path agree: pool the activations, unpool, then the ReLU derivative of z + b
        float[] zb = z.clone(), a = new float[z.length], da = new float[z.length], pooled = new float[pooledSize];
        ConvKernels.addBiasRelu(zb, bias, a, z.length);
        ConvKernels.maxPool(a, batch, h, c, pooled);
        assertArrayEquals(expected[0], pooled);
        ConvKernels.maxUnpool(a, pooled, dOut, batch, h, c, da);
        ConvKernels.reluBackward(zb, da, da.length);
        assertArrayEquals(expected[1], da);
    }

    @Test
    void aKnownWindow() {
        // one image, 2x2, one channel: ties at the maximum go to the first position, a window of negatives passes nothing
        INDArray z = Nd4j.create(new float[]{-1f, 3f, 3f, 1f}, new long[]{4, 1}, DataType.FLOAT);
        PooledRelu block = new PooledRelu(z, 1, 2, 1);
        assertArrayEquals(new float[]{3.5f}, block.forward(new float[]{0.5f}));
        INDArray dz = Nd4j.create(DataType.FLOAT, 4, 1);
        float[] db = new float[1];
        block.backward(new float[]{2.5f}, dz, db);
        assertArrayEquals(new float[]{0f, 2.5f, 0f, 0f}, dz.data().asFloat());
        assertEquals(2.5f, db[0]);
        z.assign(Nd4j.create(new float[]{-1f, -2f, -0.5f, -3f}, new long[]{4, 1}, DataType.FLOAT));
        assertArrayEquals(new float[]{0f}, block.forward(new float[]{0.25f}));
        block.backward(new float[]{2.5f}, dz, db);
        assertArrayEquals(new float[4], dz.data().asFloat());
        assertEquals(0f, db[0]);
    }

    @Test
    void reluBackwardKeepsExactlyPositiveInputs() {
        float[] z = {-1f, -0f, 0f, Float.MIN_VALUE, 2f, Float.POSITIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY};
        float[] da = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
        ConvKernels.reluBackward(z, da, da.length);
        assertArrayEquals(new float[]{0f, 0f, 0f, 4f, 5f, 6f, 0f, 0f}, da);
    }

    @Test
    void addBiasReluIsBiasThenRelu() {
        float[] z = {-1f, 0.5f, 2f, -3f, 0f, 1f};
        float[] bias = {0.5f, -1f, 1f};
        float[] a = new float[6];
        ConvKernels.addBiasRelu(z, bias, a, 6);
        assertArrayEquals(new float[]{-0.5f, -0.5f, 3f, -2.5f, -1f, 2f}, z);
        assertArrayEquals(new float[]{0f, 0f, 3f, 0f, 0f, 2f}, a);
    }
}
