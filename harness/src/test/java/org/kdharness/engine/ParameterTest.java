package org.kdharness.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A network that only infers holds no gradient buffers; the first backward pass gets them, right-shaped. */
class ParameterTest {

    @Test
    void gradientsAreAllocatedByTheFirstBackwardPassOnly() {
        Nd4j.getRandom().setSeed(5);
        Parameter w1 = Parameter.of("w1", Nd4j.randn(DataType.FLOAT, 6, 4)), b1 = Parameter.of("b1", Nd4j.zeros(DataType.FLOAT, 1, 4));
        Parameter w2 = Parameter.of("w2", Nd4j.randn(DataType.FLOAT, 4, 3)), b2 = Parameter.of("b2", Nd4j.zeros(DataType.FLOAT, 1, 3));
        LayerNet net = new LayerNet(List.of(new Flatten(), new Linear(w1, b1), new Relu(DataType.FLOAT), new Linear(w2, b2)),
                new int[0], new long[]{1, 2, 3});
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 6);
        net.forward(x, false);
        net.forward(x, true);
        assertTrue(net.parameters().stream().noneMatch(Parameter::hasGradient), "inference and a forward pass allocate none");
        net.backward(Nd4j.ones(DataType.FLOAT, 5, 3), Map.of());
        for (Parameter p : net.parameters()) {
            assertTrue(p.hasGradient(), p.name());
            assertEquals(List.of(p.value().shape()[0], p.value().shape()[1]), List.of(p.gradient().shape()[0], p.gradient().shape()[1]));
        }
        // dL/db2 = the column sums of a gradient of ones: 5 per output
        assertEquals(5.0, b2.gradient().getDouble(0, 2), 1e-6);
    }
}
