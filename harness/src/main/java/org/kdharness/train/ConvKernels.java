package org.kdharness.train;

/**
 * Loops over Java arrays for the convolutional front: im2col and its adjoint, 2x2 max
 * pooling and its backward pass, ReLU, and the NHWC/NCHW flatten the dense layers expect.
 *
 * <p>Why Java loops: each is a gather or scatter with almost no arithmetic, which ND4J
 * 1.0.0-M2.1 runs through slow generic kernels; the GEMMs around them stay in BLAS.
 * Activations are NHWC rows ({@code ((b*H + y)*W + x)*C + c}), so a convolution is one
 * GEMM of the im2col matrix (columns ordered {@code (ky, kx, c)}, matching the graph's
 * {@code [k, k, in, out]} weights) with the weights.
 */
final class ConvKernels {

    private ConvKernels() {
    }

    /**
     * {@code col[(b, y, x), (ky, kx, c)] = in[b, y + ky - pad, x + kx - pad, c]}, zero
     * outside the image ({@code pad = (k-1)/2}: SAME padding at stride 1).
     *
     * @param nchw whether {@code in} is NCHW (the raw input) rather than NHWC
     */
    static void im2col(float[] in, boolean nchw, int batch, int h, int c, int k, float[] col) {
        int pad = (k - 1) / 2, width = k * k * c, hw = h * h;
        int r = 0;
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < h; x++, r++) {
                    int base = r * width, j = 0;
                    for (int ky = 0; ky < k; ky++) {
                        int iy = y + ky - pad;
                        for (int kx = 0; kx < k; kx++, j += c) {
                            int ix = x + kx - pad;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= h) {
                                java.util.Arrays.fill(col, base + j, base + j + c, 0f);
                            } else if (c == 1) {
                                col[base + j] = in[(b * h + iy) * h + ix];
                            } else if (!nchw) {
                                System.arraycopy(in, ((b * h + iy) * h + ix) * c, col, base + j, c);
                            } else {
                                for (int ch = 0; ch < c; ch++) {
                                    col[base + j + ch] = in[b * c * hw + ch * hw + iy * h + ix];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col} (NHWC): {@code in += scatter(col)}; {@code in} is zeroed first. */
    static void col2im(float[] col, int batch, int h, int c, int k, float[] in) {
        int pad = (k - 1) / 2, width = k * k * c;
        java.util.Arrays.fill(in, 0, batch * h * h * c, 0f);
        int r = 0;
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < h; x++, r++) {
                    int base = r * width, j = 0;
                    for (int ky = 0; ky < k; ky++) {
                        int iy = y + ky - pad;
                        for (int kx = 0; kx < k; kx++, j += c) {
                            int ix = x + kx - pad;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < h) {
                                int at = ((b * h + iy) * h + ix) * c;
                                for (int ch = 0; ch < c; ch++) {
                                    in[at + ch] += col[base + j + ch];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * 2x2, stride 2 max pooling of NHWC {@code a} ({@code h} x {@code h}, floor). Only the
     * maxima are kept: {@link #maxUnpool} finds each window's first maximum again, so the
     * forward pass has no data-dependent branches (mispredicted, they doubled its cost).
     */
    static void maxPool(float[] a, int batch, int h, int c, float[] out) {
        int o = h / 2, r = 0;
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < o; y++) {
                int top = (b * h + 2 * y) * h * c, bottom = top + h * c;
                for (int x = 0; x < o; x++) {
                    int t = top + 2 * x * c, u = bottom + 2 * x * c;
                    for (int ch = 0; ch < c; ch++, r++) {
                        out[r] = Math.max(Math.max(a[t + ch], a[t + c + ch]), Math.max(a[u + ch], a[u + c + ch]));
                    }
                }
            }
        }
    }

    /**
     * Backward of {@link #maxPool}: each pooled gradient goes to the first position of its
     * window (row-major) holding the maximum; {@code da} is zeroed first.
     */
    static void maxUnpool(float[] a, float[] pooled, float[] dOut, int batch, int h, int c, float[] da) {
        java.util.Arrays.fill(da, 0, batch * h * h * c, 0f);
        int o = h / 2, r = 0;
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < o; y++) {
                int top = (b * h + 2 * y) * h * c, bottom = top + h * c;
                for (int x = 0; x < o; x++) {
                    int t = top + 2 * x * c, u = bottom + 2 * x * c;
                    for (int ch = 0; ch < c; ch++, r++) {
                        float m = pooled[r];
                        int at = a[t + ch] == m ? t + ch : a[t + c + ch] == m ? t + c + ch : a[u + ch] == m ? u + ch : u + c + ch;
                        da[at] = dOut[r];
                    }
                }
            }
        }
    }

    /** {@code z += bias} per row of {@code bias.length} columns. */
    static void addBias(float[] z, float[] bias, int n) {
        int c = bias.length;
        for (int base = 0; base < n; base += c) {
            for (int j = 0; j < c; j++) {
                z[base + j] += bias[j];
            }
        }
    }

    /**
     * {@code z += bias} per row of {@code bias.length} columns, then {@code a = max(z, 0)}: one
     * pass instead of two (the separate bias and ReLU passes were 3.5 ms of a 54 ms CNN-teacher
     * step, JFR; for pooled blocks {@link PooledRelu} now applies it to the pooled quarter only).
     */
    static void addBiasRelu(float[] z, float[] bias, float[] a, int n) {
        int c = bias.length;
        for (int base = 0; base < n; base += c) {
            for (int j = 0; j < c; j++) {
                float v = z[base + j] + bias[j];
                z[base + j] = v;
                a[base + j] = Math.max(v, 0f);
            }
        }
    }

    /**
     * {@code dz = z > 0 ? da : 0}, in place on {@code da}; branch-free (a sign mask): the sign
     * is data, and the branching loop it replaces was 5.6 ms of a 54 ms CNN-teacher step (JFR),
     * mostly mispredictions. {@code ConvKernelsTest} pins -0, NaN and the infinities.
     */
    static void reluBackward(float[] z, float[] da, int n) {
        for (int i = 0; i < n; i++) {
            int zb = Float.floatToRawIntBits(z[i]);
            // -1 exactly when 0 < bits <= +infinity's, i.e. z > 0 (-0 and NaN excluded, as the comparison does)
            int keep = (-zb & (zb - 0x7f800001)) >> 31;
            da[i] = Float.intBitsToFloat(Float.floatToRawIntBits(da[i]) & keep);
        }
    }

    /** {@code sums[j] = sum over rows of d[row, j]}. */
    static void columnSums(float[] d, int n, float[] sums) {
        int c = sums.length;
        java.util.Arrays.fill(sums, 0f);
        for (int base = 0; base < n; base += c) {
            for (int j = 0; j < c; j++) {
                sums[j] += d[base + j];
            }
        }
    }

    /** NHWC {@code [b, h, h, c]} to the graph's flattened NCHW rows {@code [b, c*h*h]}, and back ({@code toNchw = false}). */
    static void flatten(float[] nhwc, float[] nchw, int batch, int h, int c, boolean toNchw) {
        int hw = h * h;
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = (b * hw + p) * c + ch, j = b * c * hw + ch * hw + p;
                    if (toNchw) {
                        nchw[j] = nhwc[i];
                    } else {
                        nhwc[i] = nchw[j];
                    }
                }
            }
        }
    }
}
