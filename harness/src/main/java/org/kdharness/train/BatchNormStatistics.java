package org.kdharness.train;

import org.kdharness.models.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/**
 * On request, after each training epoch, sets every BatchNorm layer's running statistics (what inference
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
 * statistics throughout, exactly as training normalises them. The layer engine measures them
 * ({@code LayerNet.measureStatistics}); {@code BatchNormStatisticsTest} checks it against the graph's
 * batch statistics.
 *
 * <p>When: only where a config asks for it ({@code training: {batch_norm: precise}}) or where the graph
 * trains a BatchNorm network; the layer engine's BatchNorm keeps PyTorch's running average (momentum
 * 0.1) in every step, which is the default. The trainer also measures them once before the first step,
 * for the divergence check's reference loss, and puts the running ones back afterwards.
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
        if (net.engine() == null) {
            // every BatchNorm family builds its engine twin (models.NormalisedBuilder): the graph is the oracle only
            throw new IllegalStateException("a BatchNorm network without its layer-engine twin");
        }
        int rows = Math.min(order.length, SAMPLE);
        net.engine().measureStatistics(Nd4j.pullRows(features, 1, Arrays.copyOf(order, rows)), batchSize);
    }
}
