package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.config.ModelSpec;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CNN inference on the layer engine gives the graph's logits and dense hidden layer, across chunks. */
class ConvInferenceTest {

    @Test
    void matchesTheGraph() {
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("cnn", List.of(12),
                        List.of(new ModelSpec.ConvBlock(4, 3, true), new ModelSpec.ConvBlock(6, 3, true)), "relu", 0.25),
                new NetworkBuilder.InputShape(1, 8, 8), 5, 9);
        net.params().stream().filter(n -> n.endsWith("_b")).forEach(n -> {
            INDArray b = net.sd().getVariable(n).getArr();
            b.assign(Nd4j.randn(DataType.FLOAT, b.shape()));
        });
        // 300 rows: more than two 128-row chunks
        INDArray x = Nd4j.rand(DataType.FLOAT, 300, 64);
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(net.input().name(), x);
        net.dropoutMasks().forEach(m -> feed.put(m.name(), Nd4j.ones(DataType.FLOAT, 300, m.width())));
        String dense = net.hidden().get(2).name();
        Map<String, INDArray> graph = net.sd().output(feed, net.logits().name(), dense);
        for (String v : List.of(net.logits().name(), dense)) {
            INDArray expected = graph.get(v), actual = Inference.output(net, x, v);
            assertArrayEquals(expected.shape(), actual.shape());
            double err = actual.sub(expected).amaxNumber().doubleValue();
            assertTrue(err < 1e-4 * (1 + expected.amaxNumber().doubleValue()), v + ": max error " + err);
        }
        // a convolutional block's output still comes from the graph, flattened per example
        assertArrayEquals(new long[]{300, 4 * 4 * 4}, Inference.output(net, x, net.hidden().get(0).name()).shape());
    }
}
