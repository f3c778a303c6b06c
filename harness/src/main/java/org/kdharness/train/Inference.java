package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.engine.LayerNet;
import org.kdharness.models.Network;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained network's outputs in inference mode (dropout off, BatchNorm on its running statistics), for every row of
 * an array, in chunks: logits, any tap, and the objective's metric means.
 *
 * <p>Why apart from {@link Trainer}: validation, teacher outputs, test accuracy, CKA and reports all read a network
 * this way, most of them without training it; which path computes an output (the layer engine, or the graph for a
 * network without one) is decided here once.
 */
public final class Inference {

    private Inference() {
    }

    /** Rows per inference chunk of an MLP (narrow rows: large GEMMs). */
    private static final int EVAL_BATCH = 2048;

    /** Rows per inference chunk of a network with feature maps (its maps grow with it). */
    private static final int CONV_EVAL_BATCH = 128;

    /** The 1-based hidden layer whose graph variable is {@code variable}, or 0. */
    static int hiddenLayer(Network net, String variable) {
        for (int j = 0; j < net.hidden().size(); j++) {
            if (variable.equals(net.hidden().get(j).name())) {
                return j + 1;
            }
        }
        return 0;
    }

    /** Logits of {@code net} for every row of {@code x}, in inference mode (dropout off). */
    public static INDArray logits(Network net, INDArray x) {
        return output(net, x, net.logits().name());
    }

    /**
     * Any graph variable of {@code net} for every row of {@code x}, flattened per example: the logits and the hidden
     * layers by the engine, and what it does not compute (another variable, a network without a twin) by the graph.
     */
    public static INDArray output(Network net, INDArray x, String variable) {
        int layer = variable.equals(net.logits().name()) ? net.hidden().size() + 1 : hiddenLayer(net, variable);
        if (layer > 0 && net.engine() != null) {
            return engineOutput(net, x, layer);
        }
        long n = x.size(0);
        List<INDArray> parts = new ArrayList<>();
        int chunk = evalChunk(net);
        for (long from = 0; from < n; from += chunk) {
            long to = Math.min(n, from + chunk);
            Map<String, INDArray> ph = new HashMap<>();
            ph.put(net.input().name(), x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()));
            ph.putAll(net.inferenceInputs(to - from));
            INDArray out = net.sd().output(ph, variable).get(variable);
            parts.add(out.reshape(to - from, out.length() / (to - from)));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.vstack(parts.toArray(INDArray[]::new));
    }

    /**
     * Rows per inference chunk of {@code net}: an MLP's rows are narrow, so large chunks for efficient GEMMs; a network
     * with feature maps (a CNN, a residual network) gets the small chunks its wide maps need.
     */
    private static int evalChunk(Network net) {
        return net.hiddenShapes().stream().anyMatch(s -> s.length > 1) ? CONV_EVAL_BATCH : EVAL_BATCH;
    }

    /** Hidden layer {@code layer} (1-based; one past the last: the logits) by the layer engine in inference mode, in chunks. */
    private static INDArray engineOutput(Network net, INDArray x, int layer) {
        long n = x.size(0);
        if (n == 0) {
            throw new IllegalArgumentException("no rows to infer");
        }
        INDArray result = null;
        int chunk = evalChunk(net);
        for (long from = 0; from < n; from += chunk) {
            long to = Math.min(n, from + chunk);
            INDArray rows = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
            LayerNet.Outputs out = net.engine().forward(rows, false);
            INDArray part = layer > net.hidden().size() ? out.logits() : out.taps().get(layer - 1);
            if (result == null) {
                result = Nd4j.createUninitialized(part.dataType(), n, part.size(1));
            }
            // the engine's buffers are reused by the next chunk: each part is copied into the result (not stacked
            // from copies, which held a teacher's map for the whole split twice)
            result.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(part);
            // freed now, not when the collector finds it: a trial evaluates its splits every epoch, and with a large
            // heap the collector rarely runs (the quickstart's peak memory was 0.6 GB higher with these left to it)
            rows.close();
        }
        // copied out: a teacher keeps none of its maps while its students train (a student reallocates a few next step)
        net.engine().releasePooled();
        return result;
    }

    /**
     * The mean over every row of {@code x} of each scalar metric variable of {@code objective}
     * named in {@code names}, in inference mode, in chunks of {@code batch} rows weighted by their
     * sizes (a metric that compares the examples of a batch is measured at the training batch).
     *
     * @param inputs the objective's label-side inputs for the same rows, in {@link DistillationObjective#inputs()} order
     */
    public static Map<String, Double> means(Network net, DistillationObjective objective, INDArray x, List<INDArray> inputs,
                                            List<String> names, int batch) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        String[] variables = names.stream().map(n -> objective.metricVariables().get(n)).toArray(String[]::new);
        long n = x.size(0);
        List<String> placeholders = objective.labelPlaceholders();
        for (long from = 0; from < n; from += batch) {
            long to = Math.min(n, from + batch);
            INDArrayIndex rows = NDArrayIndex.interval(from, to);
            Map<String, INDArray> ph = new HashMap<>();
            ph.put(net.input().name(), x.get(rows, NDArrayIndex.all()));
            for (int i = 0; i < placeholders.size(); i++) {
                ph.put(placeholders.get(i), inputs.get(i).get(rows, NDArrayIndex.all()));
            }
            ph.putAll(net.inferenceInputs(to - from));
            Map<String, INDArray> values = net.sd().output(ph, variables);
            for (int v = 0; v < variables.length; v++) {
                out.merge(names.get(v), values.get(variables[v]).getDouble(0) * (to - from) / n, Double::sum);
            }
        }
        return out;
    }
}
