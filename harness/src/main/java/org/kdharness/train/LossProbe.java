package org.kdharness.train;

import org.kdharness.data.DatasetLoader;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.SoftTargets;
import org.kdharness.distill.WeightedTerm;
import org.kdharness.engine.LayerNet;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Measures the training objective and each of its unweighted terms at the end of an
 * epoch, on a fixed sample of at most {@value #SAMPLE} training examples, in chunks of the
 * training batch size.
 *
 * <p>Why a separate forward pass: SameDiff 1.0.0-M2.1's training loop neither computes
 * variables that listeners ask for nor evaluates loss ops whose values the backward pass
 * does not need, so per-batch loss values are not available from {@code fit}. One forward
 * pass over a fixed sample costs a few percent of an epoch and measures every epoch on the
 * same examples (dropout off), which also makes a diverging (non-finite) loss visible.
 *
 * <p>Why in batch-sized chunks, averaged with the chunks' sizes as weights: relation terms
 * compare the examples of a batch with each other, so their value depends on the batch
 * size; chunks of the training batch measure what training minimises, and keep memory at
 * what one training batch needs ({@code n^2}, or {@code n^3} for RKD's angle term) instead
 * of growing with the sample.
 */
final class LossProbe {

    static final int SAMPLE = 2048;

    private final Network net;
    private final List<Map<String, INDArray>> chunks = new ArrayList<>();
    private final int[] chunkRows;
    private final Map<String, String> metricVariables;
    private final List<String> outputs = new ArrayList<>();
    private final INDArray softTargets;
    private final List<WeightedTerm> logitTerms;
    /** What the graph reads for a chunk's rows: the rows themselves, or the layer engine's logits and taps of them. */
    private final Function<INDArray, Map<String, INDArray>> input;
    /** Variables of the measuring graph whose values are the trained network's (copied in at every measure). */
    private final List<String> shared;
    /** The trained network whose values the measuring graph's variables take, or null when it is that network. */
    private final Network trained;

    LossProbe(Network net, INDArray features, DistillationObjective objective, List<INDArray> labelArrays, long seed,
              int batchSize) {
        this(net, features, objective, rowsOf(labelArrays), seed, batchSize);
    }

    /** The objective's inputs for training examples {@code rows}, taken from whole-split arrays. */
    static Function<int[], List<INDArray>> rowsOf(List<INDArray> labelArrays) {
        return rows -> labelArrays.stream().map(a -> Nd4j.pullRows(a, 1, rows)).toList();
    }

    LossProbe(Network net, INDArray features, DistillationObjective objective, Function<int[], List<INDArray>> inputsFor, long seed,
              int batchSize) {
        this(net, features, objective, inputsFor, seed, batchSize, x -> Map.of(net.input().name(), x), null);
    }

    /**
     * A probe for a network the layer engine runs: the engine computes the logits and every tap (inference mode), and
     * a graph of the objective alone, on placeholders of the logits and the taps, measures its terms. The objective's
     * own variables there (projections, the association's queries and keys) take the trained graph's arrays.
     *
     * <p>Why: the student's whole graph forward took a third of a resnet20 epoch; the terms are the same
     * registered classes built the same way, so the probe reports what it reported before.
     */
    static LossProbe onEngine(Network net, INDArray features, DistillationObjective objective,
                              Function<int[], List<INDArray>> inputsFor, long seed, int batchSize) {
        long classes = Inference.logits(net, features.getRows(0)).size(1);
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.placeHolder("student_logits", DataType.FLOAT, -1, classes);
        List<long[]> shapes = net.hiddenShapes();
        List<SDVariable> taps = TapGraph.taps(sd, shapes, (name, width) -> sd.placeHolder(name, DataType.FLOAT, -1, width));
        Network head = new Network(sd, logits, logits, taps, shapes, List.of(), List.of(), 0);
        DistillationObjective terms = DistillationObjective.build(head, objective.trial(), Math.toIntExact(classes), objective.teacherShapes());
        Function<INDArray, Map<String, INDArray>> engine = x -> {
            LayerNet.Outputs out = net.engine().forward(x, false);
            Map<String, INDArray> feed = new HashMap<>();
            feed.put("student_logits", out.logits());
            for (int l = 1; l <= shapes.size(); l++) {
                feed.put(TapGraph.TAP + l, out.taps().get(l - 1));
            }
            return feed;
        };
        return new LossProbe(head, features, terms, inputsFor, seed, batchSize, engine, net);
    }

    /**
     * @param inputsFor the objective's inputs for training examples {@code rows}, row i for {@code rows[i]} (under
     *                  augmentation computed for the sample alone: the teacher's outputs on the whole split never are)
     */
    private LossProbe(Network net, INDArray features, DistillationObjective objective, Function<int[], List<INDArray>> inputsFor,
                      long seed, int batchSize, Function<INDArray, Map<String, INDArray>> input, Network trained) {
        this.net = net;
        this.input = input;
        this.trained = trained;
        this.shared = trained == null ? List.of() : TapGraph.trainedVariables(net.sd());
        this.metricVariables = objective.metricVariables();
        this.logitTerms = objective.logitTerms();
        int n = (int) features.size(0);
        int[] rows = Arrays.copyOf(DatasetLoader.shuffled(n, seed ^ 0x9E3779B97F4A7C15L), Math.min(n, SAMPLE));
        List<String> labelNames = objective.labelPlaceholders();
        List<INDArray> sample = inputsFor.apply(rows);
        int count = (rows.length + batchSize - 1) / batchSize;
        chunkRows = new int[count];
        for (int c = 0; c < count; c++) {
            int from = c * batchSize;
            int[] part = Arrays.copyOfRange(rows, from, Math.min(rows.length, from + batchSize));
            chunkRows[c] = part.length;
            Map<String, INDArray> ph = new HashMap<>();
            ph.put(net.input().name(), Nd4j.pullRows(features, 1, part));
            for (int i = 0; i < labelNames.size(); i++) {
                // a view of the sample's rows: a copy held a teacher's feature maps for the sample a second time
                ph.put(labelNames.get(i), sample.get(i).get(NDArrayIndex.interval(from, from + part.length), NDArrayIndex.all()));
            }
            ph.putAll(net.inferenceInputs(part.length));
            chunks.add(ph);
        }
        int probs = objective.indexOf(ObjectiveInput.Kind.TEACHER_PROBS);
        softTargets = probs < 0 ? null : sample.get(probs);
        outputs.addAll(net.sd().getLossVariables());
        outputs.addAll(metricVariables.values());
    }

    /** {@code loss} (the weighted objective) and each named term, means over the chunks weighted by their rows. */
    Map<String, Double> measure() {
        if (trained != null) {
            TapGraph.copyValues(trained.sd(), net.sd(), shared);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double total = Arrays.stream(chunkRows).sum();
        for (int c = 0; c < chunks.size(); c++) {
            Map<String, INDArray> feed = new HashMap<>(chunks.get(c));
            feed.putAll(input.apply(feed.remove(net.input().name())));
            Map<String, INDArray> out = net.sd().output(feed, outputs.toArray(String[]::new));
            double w = chunkRows[c] / total, loss = 0;
            for (String l : net.sd().getLossVariables()) {
                loss += out.get(l).sumNumber().doubleValue();
            }
            m.merge("loss", w * loss, Double::sum);
            metricVariables.forEach((name, variable) -> m.merge(name, w * out.get(variable).getDouble(0), Double::sum));
        }
        if (m.containsKey("soft_ce") && softTargets != null) {
            // CE(p_t, q_s) - H(p_t) on the same sample is the KL the formula names
            m.put("soft_kl", m.get("soft_ce") - SoftTargets.meanEntropyOfProbabilities(softTargets));
        }
        // the objective as the formula writes it: without the constants graph losses carry (T^2 H(p_t) of the soft term)
        double offset = 0;
        for (WeightedTerm t : logitTerms) {
            offset += t.weight() * t.term().graphOffset(softTargets);
        }
        m.put("loss", m.get("loss") - offset);
        return m;
    }
}
