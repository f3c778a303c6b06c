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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Running statistics are the population statistics of the sample, whatever the batch size they are measured in. */
class BatchNormStatisticsTest {

    @Test
    void runningStatisticsAreTheSamplesPopulationStatistics() {
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("resnet", null, null, null, null, 8, 1),
                new NetworkBuilder.InputShape(1, 8, 8), 3, 5);
        int n = 100;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 64).muli(2).addi(0.5);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (i * 37) % n; // a permutation: the sample is the epoch's order
        }
        BatchNormStatistics.update(net, x, order, 7); // 15 batches, the last of 2 rows
        Network.BatchNorm stem = net.batchNorms().get(0);
        // the stem's input does not depend on any other BatchNorm: its population statistics are one batch of all rows
        Map<String, INDArray> all = new HashMap<>(net.inferenceInputs(n));
        all.put(net.input().name(), x);
        all.put(net.trainingFlag(), Nd4j.ones(DataType.FLOAT, n, 1));
        Map<String, INDArray> whole = net.sd().output(all, stem.batchMean(), stem.batchVar());
        INDArray mean = net.sd().getVariable(stem.runningMean()).getArr(), var = net.sd().getVariable(stem.runningVar()).getArr();
        for (int c = 0; c < 16; c++) {
            assertEquals(whole.get(stem.batchMean()).getDouble(c), mean.getDouble(c), 1e-4, "running mean of channel " + c);
            assertEquals(whole.get(stem.batchVar()).getDouble(c), var.getDouble(c), 1e-4, "running variance of channel " + c);
        }
        assertTrue(var.minNumber().doubleValue() > 0 && Math.abs(mean.getDouble(0)) > 1e-3, "a real measurement, not the initial 0 and 1");
        for (Network.BatchNorm b : net.batchNorms()) {
            assertTrue(net.sd().getVariable(b.runningVar()).getArr().sub(1.0).amaxNumber().doubleValue() > 1e-3, b + " was updated");
        }

        // that was the layer engine's measurement; the graph's (the same network without its engine twin) agrees in every layer
        java.util.List<INDArray> engine = new java.util.ArrayList<>();
        net.state().forEach(v -> engine.add(net.sd().getVariable(v).getArr().dup()));
        Network graphOnly = new Network(net.sd(), net.input(), net.logits(), net.hidden(), net.hiddenShapes(), net.dropoutMasks(),
                net.params(), net.paramCount(), net.dense(), net.conv(), net.trainingFlag(), net.batchNorms(), null);
        BatchNormStatistics.update(graphOnly, x, order, 7);
        for (int i = 0; i < engine.size(); i++) {
            INDArray graph = net.sd().getVariable(net.state().get(i)).getArr();
            assertTrue(graph.sub(engine.get(i)).amaxNumber().doubleValue() <= 1e-4 * Math.max(1, graph.amaxNumber().doubleValue()),
                    net.state().get(i) + ": engine " + engine.get(i) + " graph " + graph);
        }
    }
}
