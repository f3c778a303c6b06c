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

        // that was the layer engine's measurement; the graph's batch statistics (the oracle), averaged with the same batch
        // weights, agree in every layer
        java.util.List<Network.BatchNorm> norms = net.batchNorms();
        for (int i = 0; i < norms.size(); i++) {
            INDArray sum = null, sumSquares = null;
            for (int from = 0; from < n; from += 7) {
                int[] part = java.util.Arrays.copyOfRange(order, from, Math.min(n, from + 7));
                Map<String, INDArray> ph = new HashMap<>(net.inferenceInputs(part.length));
                ph.put(net.input().name(), Nd4j.pullRows(x, 1, part));
                ph.put(net.trainingFlag(), Nd4j.ones(DataType.FLOAT, part.length, 1));
                Map<String, INDArray> out = net.sd().output(ph, norms.get(i).batchMean(), norms.get(i).batchVar());
                INDArray m = out.get(norms.get(i).batchMean()).castTo(DataType.DOUBLE);
                INDArray v = out.get(norms.get(i).batchVar()).castTo(DataType.DOUBLE);
                INDArray s1 = m.mul(part.length), s2 = v.add(m.mul(m)).muli(part.length);
                sum = sum == null ? s1 : sum.addi(s1);
                sumSquares = sumSquares == null ? s2 : sumSquares.addi(s2);
            }
            INDArray expectedMean = sum.div(n), expectedVar = sumSquares.div(n).subi(expectedMean.mul(expectedMean));
            INDArray runningMean = net.sd().getVariable(norms.get(i).runningMean()).getArr().castTo(DataType.DOUBLE);
            INDArray runningVar = net.sd().getVariable(norms.get(i).runningVar()).getArr().castTo(DataType.DOUBLE);
            assertTrue(runningMean.sub(expectedMean).amaxNumber().doubleValue() <= 1e-4 * Math.max(1, expectedMean.amaxNumber().doubleValue()),
                    norms.get(i).runningMean() + ": engine " + runningMean + " graph " + expectedMean);
            assertTrue(runningVar.sub(expectedVar).amaxNumber().doubleValue() <= 1e-4 * Math.max(1, expectedVar.amaxNumber().doubleValue()),
                    norms.get(i).runningVar() + ": engine " + runningVar + " graph " + expectedVar);
        }
    }
}
