package org.kdharness.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The convolution's backward in chunks of rows computes what {@code conv2d_bp} computes on the whole batch. */
class Conv2dTest {

    @Test
    void theChunkedBackwardGivesTheWholeBatchsGradients() {
        Nd4j.getRandom().setSeed(7);
        for (int stride : new int[]{1, 2}) {
            INDArray w = Nd4j.randn(DataType.FLOAT, 3, 3, 4, 6), b = Nd4j.randn(DataType.FLOAT, 6);
            INDArray x = Nd4j.randn(DataType.FLOAT, 37, 4, 9, 9); // 37 rows: chunks of 8 leave a last chunk of 5
            INDArray[] whole = backward(new Conv2d(Parameter.of("w", w), Parameter.of("b", b), stride, 0), x);
            INDArray[] chunked = backward(new Conv2d(Parameter.of("w", w), Parameter.of("b", b), stride, Conv2d.CHUNK), x);
            assertTrue(whole[1].amaxNumber().doubleValue() > 1 && whole[0].amaxNumber().doubleValue() > 0.1, "real gradients");
            for (int k = 0; k < 3; k++) {
                double diff = chunked[k].sub(whole[k]).amaxNumber().doubleValue();
                assertTrue(diff <= 1e-4 * Math.max(1, whole[k].amaxNumber().doubleValue()), "stride " + stride + ", output " + k + ": " + diff);
            }
        }
    }

    @Test
    void theFirstLayersWeightGradientIsConv2dBps() {
        Nd4j.getRandom().setSeed(3);
        // a CNN's first block (1 channel, 3x3 and 5x5, SAME), a resnet stem (3 channels, no bias), non-square maps
        int[][] cases = {{1, 4, 3, 1}, {1, 5, 5, 1}, {3, 6, 3, 0}, {2, 3, 1, 1}};
        for (int[] k : cases) {
            int in = k[0], out = k[1], size = k[2];
            boolean biased = k[3] == 1;
            INDArray w = Nd4j.randn(DataType.FLOAT, size, size, in, out), b = Nd4j.randn(DataType.FLOAT, out);
            INDArray x = Nd4j.randn(DataType.FLOAT, 13, in, 9, 7);
            INDArray dy = Nd4j.randn(DataType.FLOAT, 13, out, 9, 7);
            INDArray[] reference = backward(new Conv2d(Parameter.of("w", w), biased ? Parameter.of("b", b) : null, 1), x, dy);
            Conv2d first = Conv2d.same(Parameter.of("w", w), biased ? Parameter.of("b", b) : null);
            first.forward(x, true);
            first.backwardParameters(dy);
            String what = in + " -> " + out + ", " + size + "x" + size;
            INDArray dw = first.parameters().get(0).gradient();
            assertTrue(reference[1].amaxNumber().doubleValue() > 1, "a real gradient");
            assertTrue(dw.sub(reference[1]).amaxNumber().doubleValue() <= 1e-4 * reference[1].amaxNumber().doubleValue(), what + ": " + dw + " vs " + reference[1]);
            if (biased) {
                INDArray db = first.parameters().get(1).gradient();
                assertTrue(db.sub(reference[2]).amaxNumber().doubleValue() <= 1e-4 * reference[2].amaxNumber().doubleValue(), what + " bias");
            }
        }
    }

    @Test
    void wideThreeByThreeConvolutionsAreChunked() {
        assertEquals(Conv2d.CHUNK, conv(3, 128, 128).chunkRows(), "resnet8x4's stage 2");
        assertEquals(Conv2d.CHUNK, conv(3, 256, 256).chunkRows(), "resnet8x4's stage 3");
        assertEquals(0, conv(3, 64, 128).chunkRows(), "below 128 x 128");
        assertEquals(0, conv(3, 16, 16).chunkRows(), "resnet20's stage 1");
        assertEquals(0, conv(1, 128, 256).chunkRows(), "a 1x1 projection shortcut");
    }

    private static Conv2d conv(int k, int in, int out) {
        return new Conv2d(Parameter.of("w", Nd4j.zeros(DataType.FLOAT, k, k, in, out)), null, 1);
    }

    private static INDArray[] backward(Conv2d conv, INDArray x) {
        INDArray y = conv.forward(x, true);
        Nd4j.getRandom().setSeed(11);
        return backward(conv, x, Nd4j.randn(DataType.FLOAT, y.shape()));
    }

    private static INDArray[] backward(Conv2d conv, INDArray x, INDArray dy) {
        conv.forward(x, true);
        INDArray dx = conv.backward(dy).dup();
        INDArray dw = conv.parameters().get(0).gradient().dup();
        INDArray db = conv.parameters().size() > 1 ? conv.parameters().get(1).gradient().dup() : dw;
        return new INDArray[]{dx, dw, db};
    }
}
