package org.kdharness.models;

import org.junit.jupiter.api.Test;
import org.kdharness.config.ModelSpec;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** VGG with BatchNorm: RepDistiller's layer sizes, its taps, and its gradients. */
class VggTest {

    private static Network build(int depth, int channels, int size, int classes) {
        return NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("vgg", null, null, null, null, depth, null),
                new NetworkBuilder.InputShape(channels, size, size), classes, 5);
    }

    @Test
    void vgg8AndVgg13HaveRepDistillersLayers() {
        // CIFAR-100: 3x3 convolutions with bias and BatchNorm, one linear layer (3.96 M and 9.46 M in CRD's table)
        assertEquals(3_965_028L, build(8, 3, 32, 100).paramCount());
        assertEquals(9_462_180L, build(13, 3, 32, 100).paramCount());
        Network net = build(8, 1, 28, 10);
        assertEquals("vgg8", new ModelSpec("vgg", null, null, null, null, 8, null).shortName());
        assertEquals(List.of("block0", "block1", "block2", "block3", "block4", "pool"),
                new ModelSpec("vgg", null, null, null, null, 8, null).tapNames());
        assertArrayEquals(new long[]{64, 28, 28}, net.hiddenShapes().get(0), "block0, before its pooling");
        assertArrayEquals(new long[]{128, 14, 14}, net.hiddenShapes().get(1));
        assertArrayEquals(new long[]{256, 7, 7}, net.hiddenShapes().get(2));
        assertArrayEquals(new long[]{512, 3, 3}, net.hiddenShapes().get(3));
        assertArrayEquals(new long[]{512, 3, 3}, net.hiddenShapes().get(4), "no pooling before the last block at this size");
        assertArrayEquals(new long[]{512}, net.hiddenShapes().get(5));
        assertEquals(5, net.batchNorms().size());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        ResNetTest.gradientCheck(new ModelSpec("vgg", null, null, null, null, 8, null),
                // (a convolution's bias has no gradient here: the BatchNorm after it removes every per-channel constant)
                List.of("b0c1_W", "b1c1_bn_gamma", "b2c1_W", "b3c1_W", "b4c1_bn_beta", "fc_W"));
    }
}
