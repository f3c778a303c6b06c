package org.kdharness.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Per-channel standardisation, {@code (x - mean_c) / std_c}, with the statistics of the
 * training split.
 *
 * <p>Why measured on the training split: the CIFAR recipes normalise with the training
 * set's channel statistics (RepDistiller's constants are those of CIFAR-100's training
 * images); measuring them here gives the same for the real files and a correct answer for
 * any other image set, and never looks at validation or test pixels.
 *
 * @param mean per channel
 * @param std  per channel (population standard deviation; 1 where a channel is constant)
 */
public record ChannelNormalizer(double[] mean, double[] std) {

    /** The channel statistics of {@code train} (rows NCHW, {@code channels * height * width} wide). */
    public static ChannelNormalizer fit(ImageData train) {
        int c = train.channels(), hw = train.height() * train.width(), n = train.size();
        float[] x = train.features().dup('c').data().asFloat();
        double[] mean = new double[c], std = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++) {
                int base = i * c * hw + ch * hw;
                for (int p = 0; p < hw; p++) {
                    double v = x[base + p];
                    sum += v;
                    sq += v * v;
                }
            }
            double count = (double) n * hw;
            mean[ch] = sum / count;
            double var = Math.max(sq / count - mean[ch] * mean[ch], 0);
            std[ch] = var > 0 ? Math.sqrt(var) : 1.0;
        }
        return new ChannelNormalizer(mean, std);
    }

    /** {@code data} with every channel standardised. */
    public ImageData apply(ImageData data) {
        int c = data.channels(), hw = data.height() * data.width(), n = data.size();
        if (c != mean.length) {
            throw new IllegalArgumentException(c + " channels, but statistics for " + mean.length);
        }
        float[] x = data.features().dup('c').data().asFloat();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int base = i * c * hw + ch * hw;
                float m = (float) mean[ch], s = (float) (1.0 / std[ch]);
                for (int p = 0; p < hw; p++) {
                    x[base + p] = (x[base + p] - m) * s;
                }
            }
        }
        return new ImageData(Nd4j.create(x, new long[]{n, (long) c * hw}, DataType.FLOAT), data.labels(), c, data.height(),
                data.width(), data.numClasses());
    }

    @Override
    public String toString() {
        return "per_channel(mean " + format(mean) + ", std " + format(std) + ")";
    }

    private static String format(double[] v) {
        return Arrays.stream(v).mapToObj(d -> String.format(Locale.ROOT, "%.4f", d)).collect(Collectors.joining("/"));
    }
}
