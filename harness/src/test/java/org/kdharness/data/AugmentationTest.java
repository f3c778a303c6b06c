package org.kdharness.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standard crop-and-flip augmentation: exact pixels, and seeded by trial seed and epoch. */
class AugmentationTest {

    @Test
    void shiftsWithZeroFillAndMirrorsAfterTheCrop() {
        float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] out = new float[9];
        Augmentation.shift(in, out, 0, 1, 3, 3, 1, 0, false);
        assertArrayEquals(new float[]{4, 5, 6, 7, 8, 9, 0, 0, 0}, out, "one row up, zeros below");
        Augmentation.shift(in, out, 0, 1, 3, 3, 0, 1, true);
        assertArrayEquals(new float[]{0, 3, 2, 0, 6, 5, 0, 9, 8}, out, "cropped one column right, then mirrored");
        Augmentation.shift(in, out, 0, 1, 3, 3, -4, 0, false);
        assertArrayEquals(new float[9], out, "shifted out entirely");
    }

    @Test
    void everyImageGetsItsOwnSeededCropAndFlip() {
        int n = 1000, c = 2, h = 8, w = 8;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c * h * w).addi(0.1); // no zeros: a zero can only be fill
        int[] all = new int[n];
        java.util.Arrays.setAll(all, i -> i);
        INDArray a = Augmentation.standard(x, all, c, h, w, 3, 1);
        assertEquals(a, Augmentation.standard(x, all, c, h, w, 3, 1), "the same seed and epoch: the same images (paired methods)");
        assertNotEquals(a, Augmentation.standard(x, all, c, h, w, 3, 2), "another epoch, other crops");
        assertNotEquals(a, Augmentation.standard(x, all, c, h, w, 4, 1), "another seed, other crops");
        // a batch drawn in any order gets each example's own crop: the batch does not matter
        int[] batch = {17, 3, 999, 250};
        assertEquals(Nd4j.pullRows(a, 1, batch), Augmentation.standard(x, batch, c, h, w, 3, 1));
        float[] in = x.data().asFloat(), out = a.data().asFloat();
        Set<String> seen = new HashSet<>();
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            String found = null;
            for (int dy = -4; dy <= 4 && found == null; dy++) {
                for (int dx = -4; dx <= 4 && found == null; dx++) {
                    for (boolean flip : new boolean[]{false, true}) {
                        float[] candidate = new float[c * h * w];
                        float[] image = java.util.Arrays.copyOfRange(in, i * c * h * w, (i + 1) * c * h * w);
                        Augmentation.shift(image, candidate, 0, c, h, w, dy, dx, flip);
                        if (java.util.Arrays.equals(candidate, java.util.Arrays.copyOfRange(out, i * c * h * w, (i + 1) * c * h * w))) {
                            found = dy + "," + dx + "," + flip;
                            flipped += flip ? 1 : 0;
                            break;
                        }
                    }
                }
            }
            assertTrue(found != null, "image " + i + " is a 4-pixel crop of its own input, maybe mirrored");
            seen.add(found.substring(0, found.lastIndexOf(',')));
        }
        assertTrue(flipped > 430 && flipped < 570, "about half mirrored: " + flipped);
        assertEquals(81, seen.size(), "every offset in [-4, 4] x [-4, 4] occurs over 1,000 images");
    }
}
