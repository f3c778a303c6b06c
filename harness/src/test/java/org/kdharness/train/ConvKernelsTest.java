package org.kdharness.train;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused and branch-free convolution loops against plain reference code: the fused
 * pooling + ReLU backward must route every gradient exactly where max pooling followed by
 * a ReLU derivative would, ties and all-zero windows included.
 */
class ConvKernelsTest {

    /** ReLU outputs with many exact zeros and deliberate ties inside pooling windows. */
    private static float[] reluMapWithTies(int batch, int h, int c, long seed) {
        Random r = new Random(seed);
        float[] a = new float[batch * h * h * c];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.max((float) r.nextGaussian(), 0f);
        }
        // copy some values to a neighbour in the same row of a window: exact ties
        for (int i = 0; i + c < a.length; i += 7 * c + 3) {
            a[i + c] = a[i];
        }
        return a;
    }

    /** Plain reference: the first (row-major) maximum of each window gets the gradient when it is positive. */
    private static float[] referenceUnpoolRelu(float[] a, float[] dOut, int batch, int h, int c) {
        float[] dz = new float[a.length];
        int o = h / 2, r = 0;
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
                        if (max > 0) {
                            dz[best] = dOut[r];
                        }
                    }
                }
            }
        }
        return dz;
    }

    @Test
    void fusedUnpoolReluRoutesLikeTheReference() {
        int batch = 3, h = 6, c = 5;
        float[] a = reluMapWithTies(batch, h, c, 11);
        float[] pooled = new float[batch * 3 * 3 * c], dOut = new float[pooled.length];
        ConvKernels.maxPool(a, batch, h, c, pooled);
        Random r = new Random(5);
        for (int i = 0; i < dOut.length; i++) {
            dOut[i] = (float) r.nextGaussian();
        }
        float[] dz = new float[a.length];
        java.util.Arrays.fill(dz, Float.NaN); // every position must be written
        ConvKernels.maxUnpoolRelu(a, pooled, dOut, batch, h, c, dz);
        assertArrayEquals(referenceUnpoolRelu(a, dOut, batch, h, c), dz);

        // the unfused path (unpool, then the ReLU derivative of z, where z <= 0 exactly where a == 0) agrees
        float[] z = a.clone();
        for (int i = 0; i < z.length; i++) {
            if (z[i] == 0f) {
                z[i] = -1f - i % 3;
            }
        }
        float[] da = new float[a.length];
        ConvKernels.maxUnpool(a, pooled, dOut, batch, h, c, da);
        ConvKernels.reluBackward(z, da, da.length);
        assertArrayEquals(da, dz);
    }

    @Test
    void aKnownWindow() {
        // one image, 2x2, one channel: ties at the maximum go to the first position, a zero window passes nothing
        float[] a = {0f, 3f, 3f, 1f};
        float[] pooled = new float[1];
        ConvKernels.maxPool(a, 1, 2, 1, pooled);
        assertEquals(3f, pooled[0]);
        float[] dz = new float[4];
        ConvKernels.maxUnpoolRelu(a, pooled, new float[]{2.5f}, 1, 2, 1, dz);
        assertArrayEquals(new float[]{0f, 2.5f, 0f, 0f}, dz);
        float[] zeros = {0f, 0f, 0f, 0f};
        ConvKernels.maxUnpoolRelu(zeros, new float[]{0f}, new float[]{2.5f}, 1, 2, 1, dz);
        assertArrayEquals(new float[4], dz);
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
