package org.kdharness.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * The standard CIFAR augmentation, {@code dataset.augment: standard}: each training image is
 * shifted by a random offset in [-4, 4] on both axes with the uncovered border filled with zeros
 * (a random 4-pixel-padded crop) and mirrored left to right with probability 1/2.
 *
 * <p>Why seeded by (trial seed, epoch, example): every method trained at a seed sees the same
 * augmented images in the same order, so comparisons stay paired; a resumed trial sees what the
 * first attempt saw; and batches are augmented as they are drawn, without a copy of the split. The fill is 0 in the data as loaded: with
 * {@code normalize: per_channel} that is the channel's training mean, where PyTorch's
 * {@code RandomCrop(padding=4)} pads raw black pixels before normalising.
 */
public final class Augmentation {

    /** The padding of the standard crop. */
    public static final int PADDING = 4;

    private Augmentation() {
    }

    /**
     * The augmented images of examples {@code rows} of {@code features} ({@code [n, c·h·w]}, channel-major) in one
     * epoch: each example's crop and flip depend only on the trial's seed, the epoch and the example, never on the
     * batch it is drawn in.
     *
     * @param seed  the trial's seed
     * @param epoch 1-based
     */
    public static INDArray standard(INDArray features, int[] rows, int channels, int height, int width, long seed, int epoch) {
        int size = channels * height * width;
        float[] in = Nd4j.pullRows(features, 1, rows).castTo(DataType.FLOAT).data().asFloat();
        float[] out = new float[in.length];
        for (int i = 0; i < rows.length; i++) {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + rows[i] * 0x94D049BB133111EBL);
            int dy = rng.nextInt(2 * PADDING + 1) - PADDING, dx = rng.nextInt(2 * PADDING + 1) - PADDING;
            shift(in, out, i * size, channels, height, width, dy, dx, rng.nextBoolean());
        }
        return Nd4j.create(out, new long[]{rows.length, size}, DataType.FLOAT);
    }

    /** out(c, y, x) = in(c, y + dy, x' + dx) where x' is x, or w-1-x when flipped; 0 outside the image. */
    static void shift(float[] in, float[] out, int offset, int channels, int height, int width, int dy, int dx, boolean flip) {
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            int base = offset + c * plane;
            for (int y = 0; y < height; y++) {
                int sy = y + dy;
                for (int x = 0; x < width; x++) {
                    int sx = (flip ? width - 1 - x : x) + dx;
                    out[base + y * width + x] = sy < 0 || sy >= height || sx < 0 || sx >= width ? 0f : in[base + sy * width + sx];
                }
            }
        }
    }
}
