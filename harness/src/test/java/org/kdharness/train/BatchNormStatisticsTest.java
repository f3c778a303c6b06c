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

    /**
     * One step of training on one batch of all rows: under the default (PyTorch's running statistics) the stem's running
     * mean is 0.9·0 + 0.1·μ and its variance 0.9·1 + 0.1·σ²·n/(n-1), μ and σ² the batch's, so the statistics measured
     * before the first step (for the divergence reference) were put back; under {@code batch_norm: precise} they are the
     * population statistics after the epoch.
     */
    @Test
    void trainingKeepsPyTorchsRunningStatisticsUnlessPreciseIsAsked() {
        org.kdharness.data.DataSplits data = new org.kdharness.data.DatasetLoader().load(new org.kdharness.config.DatasetSpec("fashion-mnist",
                org.kdharness.data.TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 80, 100, 1L));
        INDArray x = data.train().features();
        int n = Math.toIntExact(x.size(0));
        ModelSpec resnet8 = new ModelSpec("resnet", null, null, null, null, 8, 1);
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(1, 28, 28);
        Network before = NetworkBuilder.build(SameDiff.create(), "", resnet8, shape, 10, 4);
        BatchNormStatistics.update(before, x, java.util.stream.IntStream.range(0, n).toArray(), n);
        INDArray mu = stem(before, true), var = stem(before, false);
        for (String mode : new String[]{null, "precise"}) {
            Network net = NetworkBuilder.build(SameDiff.create(), "", resnet8, shape, 10, 4);
            org.kdharness.distill.DistillationObjective obj = org.kdharness.distill.DistillationObjective.build(net,
                    org.kdharness.distill.TrialSpec.of(org.kdharness.Methods.method("baseline"), 4).build(), 10, java.util.List.of());
            new Trainer().fit(net, new org.kdharness.config.TrainingSpec(1, n, 1e-3, "adam", 0.0, 0L, 0, null, null, mode), 4, data.train(),
                    obj, java.util.List.of(data.train().oneHot()), data.validation(), null);
            INDArray m = stem(net, true), v = stem(net, false);
            for (int c = 0; c < 16; c++) {
                if (mode == null) {
                    assertEquals(0.1 * mu.getDouble(c), m.getDouble(c), 1e-4 * (1 + Math.abs(mu.getDouble(c))), "running mean, channel " + c);
                    assertEquals(0.9 + 0.1 * var.getDouble(c) * n / (n - 1), v.getDouble(c), 1e-4 * (1 + var.getDouble(c)), "running var, channel " + c);
                } else {
                    assertTrue(Math.abs(m.getDouble(c) - 0.1 * mu.getDouble(c)) > 1e-3 * (1 + Math.abs(mu.getDouble(c)))
                            || Math.abs(mu.getDouble(c)) < 1e-6, "precise: not the running average, channel " + c);
                }
            }
            if (mode != null) {
                INDArray kept = m.dup();
                BatchNormStatistics.update(net, x, java.util.stream.IntStream.range(0, n).toArray(), n);
                assertTrue(kept.equalsWithEps(stem(net, true), 1e-4), "precise: the population statistics of the trained network");
            }
        }
    }

    private static INDArray stem(Network net, boolean mean) {
        Network.BatchNorm b = net.batchNorms().get(0);
        return net.sd().getVariable(mean ? b.runningMean() : b.runningVar()).getArr().dup();
    }
}
