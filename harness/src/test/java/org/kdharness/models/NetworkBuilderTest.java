package org.kdharness.models;

import org.kdharness.train.Inference;
import org.junit.jupiter.api.Test;
import org.kdharness.config.ModelSpec;
import org.kdharness.train.BatchIterator;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Architecture from config: layer shapes, parameter counts, seeded init, dropout masks. */
class NetworkBuilderTest {

    static final NetworkBuilder.InputShape MNIST = new NetworkBuilder.InputShape(1, 28, 28);

    @Test
    void mlpShapesAndParameterCount() {
        Network n = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(256, 256), null, null, null), MNIST, 10, 1);
        assertEquals(784L * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10, n.paramCount());
        assertEquals(2, n.hidden().size());
        assertEquals(256, n.hiddenSize(2));
        INDArray logits = Inference.logits(n, Nd4j.rand(DataType.FLOAT, 5, 784));
        assertArrayEquals(new long[]{5, 10}, logits.shape());
    }

    @Test
    void cnnHiddenMapsHalveWithPooling() {
        ModelSpec spec = new ModelSpec("cnn", List.of(32), List.of(new ModelSpec.ConvBlock(8, 3, true),
                new ModelSpec.ConvBlock(16, 3, true)), "relu", 0.0);
        Network n = NetworkBuilder.build(SameDiff.create(), "", spec, MNIST, 10, 1);
        assertArrayEquals(new long[]{8, 14, 14}, n.hiddenShapes().get(0));
        assertArrayEquals(new long[]{16, 7, 7}, n.hiddenShapes().get(1));
        assertEquals(32, n.hiddenSize(3));
        INDArray h2 = Inference.output(n, Nd4j.rand(DataType.FLOAT, 3, 784), n.hidden().get(1).name());
        assertArrayEquals(new long[]{3, 16 * 7 * 7}, h2.shape());
    }

    @Test
    void sameSeedSameInitialWeights() {
        ModelSpec spec = new ModelSpec("mlp", List.of(32), null, null, null);
        Network a = NetworkBuilder.build(SameDiff.create(), "", spec, MNIST, 10, 5);
        Network b = NetworkBuilder.build(SameDiff.create(), "", spec, MNIST, 10, 5);
        Network c = NetworkBuilder.build(SameDiff.create(), "", spec, MNIST, 10, 6);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 784);
        assertEquals(Inference.logits(a, x), Inference.logits(b, x));
        assertNotEquals(Inference.logits(a, x), Inference.logits(c, x));
    }

    @Test
    void dropoutIsOffAtInferenceAndInvertedInTraining() {
        Network n = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(64), null, null, 0.5), MNIST, 10, 1);
        assertEquals(1, n.dropoutMasks().size());
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 784);
        // inference is relu(x W1 + b1) W2 + b2 with no dropout mask, computed here from the weights
        INDArray w1 = n.sd().getVariable("dense1_W").getArr(), b1 = n.sd().getVariable("dense1_b").getArr();
        INDArray w2 = n.sd().getVariable("out_W").getArr(), b2 = n.sd().getVariable("out_b").getArr();
        INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.relu(x.mmul(w1).addRowVector(b1.reshape(1, -1)))
                .mmul(w2).addRowVector(b2.reshape(1, -1));
        INDArray actual = Inference.logits(n, x);
        assertTrue(expected.equalsWithEps(actual, 1e-4), "inference without dropout: " + expected + " vs " + actual);
        int rows = 1000;
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        BatchIterator it = new BatchIterator(new INDArray[]{Nd4j.zeros(DataType.FLOAT, rows, 3)}, new INDArray[]{Nd4j.zeros(DataType.FLOAT, rows, 1)},
                List.of(new BatchIterator.DropoutSpec(64, 0.5)), rows, order, 9);
        MultiDataSet ds = it.next();
        INDArray mask = ds.getFeatures(1);
        assertEquals(1.0, mask.meanNumber().doubleValue(), 0.02, "inverted dropout keeps the expected activation");
        double zeros = mask.eq(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
        assertEquals(0.5, zeros, 0.02);
        assertEquals(2.0, mask.maxNumber().doubleValue(), 1e-6);
    }
}
