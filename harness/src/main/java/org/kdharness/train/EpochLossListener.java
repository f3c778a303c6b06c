package org.kdharness.train;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.ListenerVariables;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects each unweighted loss term and the total loss as example-weighted epoch means.
 *
 * <p>Why a listener: the terms are already computed by the training forward pass, so
 * reading them costs no second pass over the data.
 */
final class EpochLossListener extends BaseListener {

    private final Map<String, String> variableToMetric = new HashMap<>();
    private final Map<String, double[]> sums = new LinkedHashMap<>();
    private double totalSum;
    private long examples;
    private long batchRows;

    EpochLossListener(Map<String, String> metricVariables) {
        metricVariables.forEach((metric, variable) -> variableToMetric.put(variable, metric));
    }

    @Override
    public ListenerVariables requiredVariables(SameDiff sd) {
        // the unweighted terms are not on the loss path, so training must be asked for them
        return ListenerVariables.builder().trainingVariables(variableToMetric.keySet().toArray(String[]::new)).build();
    }

    @Override
    public boolean isActive(Operation operation) {
        return operation == Operation.TRAINING;
    }

    @Override
    public void iterationStart(SameDiff sd, At at, MultiDataSet data, long etlTimeMs) {
        batchRows = data.getFeatures(0).size(0);
    }

    @Override
    public void activationAvailable(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, String varName,
                                    INDArray activation) {
        String metric = variableToMetric.get(varName);
        if (metric != null && activation != null) {
            sums.computeIfAbsent(metric, k -> new double[1])[0] += activation.getDouble(0) * batchRows;
        }
    }

    @Override
    public void iterationDone(SameDiff sd, At at, MultiDataSet dataSet, Loss loss) {
        totalSum += loss.totalLoss() * batchRows;
        examples += batchRows;
    }

    /** Epoch means so far, and resets for the next epoch. */
    Map<String, Double> drain() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", totalSum / examples);
        sums.forEach((k, v) -> out.put(k, v[0] / examples));
        sums.clear();
        totalSum = 0;
        examples = 0;
        return out;
    }
}
