package org.kdharness.train;

import org.kdharness.models.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * After each training epoch, sets every BatchNorm layer's running statistics (what inference
 * normalises with) to the population statistics of the first {@value #SAMPLE} training examples
 * of the epoch's order, measured in training mode in batches of the training batch size.
 *
 * <p>Why population statistics ("precise BN", as pycls and Detectron use) instead of PyTorch's
 * running average with momentum 0.1: the graph's training loop runs inside SameDiff's
 * {@code fit}, which does not hand back per-step activations, so the statistics are measured
 * once per epoch instead; and a population mean over many batches is at least as good an estimate
 * of what inference meets as an exponential average dominated by the last ten steps. The variance
 * is the biased one over the sample (PyTorch keeps an unbiased running variance; the difference is
 * a factor n/(n-1), with n here in the thousands). Batches are normalised with their own
 * statistics throughout, exactly as training normalises them. A network the layer engine runs
 * measures them there ({@code LayerNet.measureStatistics}), the graph's otherwise.
 *
 * <p>Why still after every epoch where the engine trains too, though its BatchNorm keeps PyTorch's
 * running average: the residual trials the engine does not yet train (attention transfer, concatenated
 * targets, the association) take the graph, and one sweep's methods must be compared under the same
 * statistics.
 */
final class BatchNormStatistics {

    static final int SAMPLE = 4096;

    private BatchNormStatistics() {
    }

    /** Replaces the running statistics of {@code net}'s BatchNorm layers (none: nothing happens). */
    static void update(Network net, INDArray features, int[] order, int batchSize) {
        List<Network.BatchNorm> norms = net.batchNorms();
        if (norms.isEmpty()) {
            return;
        }
        int rows = Math.min(order.length, SAMPLE);
        if (net.engine() != null) {
            net.engine().measureStatistics(Nd4j.pullRows(features, 1, Arrays.copyOf(order, rows)), batchSize);
            return;
        }
        String[] outputs = new String[2 * norms.size()];
        for (int i = 0; i < norms.size(); i++) {
            outputs[2 * i] = norms.get(i).batchMean();
            outputs[2 * i + 1] = norms.get(i).batchVar();
        }
        INDArray[] sum = new INDArray[norms.size()], sumSquares = new INDArray[norms.size()];
        for (int from = 0; from < rows; from += batchSize) {
            int[] part = Arrays.copyOfRange(order, from, Math.min(rows, from + batchSize));
            Map<String, INDArray> ph = net.inferenceInputs(part.length);
            ph.put(net.input().name(), Nd4j.pullRows(features, 1, part));
            ph.put(net.trainingFlag(), Nd4j.ones(DataType.FLOAT, part.length, 1));
            Map<String, INDArray> out = net.sd().output(ph, outputs);
            for (int i = 0; i < norms.size(); i++) {
                INDArray mean = out.get(outputs[2 * i]).castTo(DataType.DOUBLE);
                INDArray var = out.get(outputs[2 * i + 1]).castTo(DataType.DOUBLE);
                // E[x] and E[x^2] of the batch, weighted by its rows: the sample's moments whatever the batch sizes
                INDArray m = mean.mul(part.length), s = var.add(mean.mul(mean)).muli(part.length);
                sum[i] = sum[i] == null ? m : sum[i].addi(m);
                sumSquares[i] = sumSquares[i] == null ? s : sumSquares[i].addi(s);
            }
        }
        for (int i = 0; i < norms.size(); i++) {
            INDArray mean = sum[i].div(rows);
            INDArray var = sumSquares[i].div(rows).subi(mean.mul(mean));
            net.sd().getVariable(norms.get(i).runningMean()).getArr().assign(mean.castTo(DataType.FLOAT));
            net.sd().getVariable(norms.get(i).runningVar()).getArr().assign(var.castTo(DataType.FLOAT));
        }
    }
}
