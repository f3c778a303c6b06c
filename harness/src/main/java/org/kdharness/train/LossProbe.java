package org.kdharness.train;

import org.kdharness.data.DatasetLoader;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.SoftTargets;
import org.kdharness.models.Network;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the training objective and each of its unweighted terms at the end of an
 * epoch, on a fixed sample of at most {@value #SAMPLE} training examples.
 *
 * <p>Why a separate forward pass: SameDiff 1.0.0-M2.1's training loop neither computes
 * variables that listeners ask for nor evaluates loss ops whose values the backward pass
 * does not need, so per-batch loss values are not available from {@code fit}. One forward
 * pass over a fixed sample costs a few percent of an epoch and measures every epoch on the
 * same examples (dropout off), which also makes a diverging (non-finite) loss visible.
 */
final class LossProbe {

    static final int SAMPLE = 2048;

    private final Network net;
    private final Map<String, INDArray> placeholders = new HashMap<>();
    private final Map<String, String> metricVariables;
    private final List<String> outputs = new ArrayList<>();

    LossProbe(Network net, INDArray features, List<String> labelNames, List<INDArray> labelArrays,
              Map<String, String> metricVariables, long seed) {
        this.net = net;
        this.metricVariables = metricVariables;
        int n = (int) features.size(0);
        int[] rows = Arrays.copyOf(DatasetLoader.shuffled(n, seed ^ 0x9E3779B97F4A7C15L), Math.min(n, SAMPLE));
        placeholders.put(net.input().name(), Nd4j.pullRows(features, 1, rows));
        for (int i = 0; i < labelNames.size(); i++) {
            placeholders.put(labelNames.get(i), Nd4j.pullRows(labelArrays.get(i), 1, rows));
        }
        for (Network.DropoutMask m : net.dropoutMasks()) {
            placeholders.put(m.name(), Nd4j.ones(DataType.FLOAT, rows.length, m.width()));
        }
        outputs.addAll(net.sd().getLossVariables());
        outputs.addAll(metricVariables.values());
    }

    /** {@code loss} (the weighted objective) and each named term. */
    Map<String, Double> measure() {
        Map<String, INDArray> out = net.sd().output(placeholders, outputs.toArray(String[]::new));
        Map<String, Double> m = new LinkedHashMap<>();
        double loss = 0;
        for (String l : net.sd().getLossVariables()) {
            loss += out.get(l).sumNumber().doubleValue();
        }
        m.put("loss", loss);
        metricVariables.forEach((name, variable) -> m.put(name, out.get(variable).getDouble(0)));
        INDArray softTargets = placeholders.get(DistillationObjective.TEACHER_PROBS);
        if (m.containsKey("soft_ce") && softTargets != null) {
            // CE(p_t, q_s) - H(p_t) on the same sample is the KL the formula names
            m.put("soft_kl", m.get("soft_ce") - SoftTargets.meanEntropyOfProbabilities(softTargets));
        }
        return m;
    }
}
