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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MLP inference on the layer engine gives the graph's hidden layers and logits for every activation, across chunks. */
class MlpInferenceTest {

    @Test
    void matchesTheGraphForEveryLayerAndActivation() {
        // 2,500 rows: more than one 2,048-row chunk, so the chunk seam is covered
        INDArray x = Nd4j.randn(DataType.FLOAT, 2500, 12);
        for (String activation : List.of("relu", "tanh", "sigmoid", "leaky_relu", "elu")) {
            // dropout is in the graph (fed ones at inference) and must not change inference
            Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16, 7), null, activation, 0.3),
                    new NetworkBuilder.InputShape(1, 3, 4), 5, 4);
            // builders start biases at zero: non-zero ones make the bias terms count
            net.params().stream().filter(n -> n.endsWith("_b")).forEach(n -> {
                INDArray b = net.sd().getVariable(n).getArr();
                b.assign(Nd4j.randn(DataType.FLOAT, b.shape()));
            });
            Map<String, INDArray> feed = new HashMap<>();
            feed.put(net.input().name(), x);
            net.dropoutMasks().forEach(m -> feed.put(m.name(), Nd4j.ones(DataType.FLOAT, 2500, m.width())));
            List<String> names = List.of(net.hidden().get(0).name(), net.hidden().get(1).name(), net.logits().name());
            Map<String, INDArray> graph = net.sd().output(feed, names.toArray(String[]::new));
            for (String name : names) {
                INDArray engine = Inference.output(net, x, name);
                INDArray expected = graph.get(name);
                assertArrayEquals(expected.shape(), engine.shape());
                double err = engine.sub(expected).amaxNumber().doubleValue();
                assertTrue(err < 1e-5 * (1 + expected.amaxNumber().doubleValue()), activation + " " + name + ": error " + err);
            }
        }
    }
}
