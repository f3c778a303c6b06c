package org.kdharness.distill;

import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * A trial's whole training objective added to the student's graph:
 * {@code baseline: CE}; {@code response: L2}; {@code feature} and {@code relation}:
 * {@code w1*Loss1 + w2*L2} with Loss1 the hint or relation loss over the mapping.
 *
 * <p>Why weighted pieces as separate loss variables: SameDiff sums its loss variables, so
 * each weighted piece is one (see {@link ResponseLoss} for why weights live inside the
 * loss ops), and the unweighted terms ({@code hard_ce}, {@code soft_ce},
 * {@code feature_m*}) are separate graph outputs recorded per epoch.
 *
 * @param labelPlaceholders placeholders fed from the label side of a batch, in order:
 *                          {@code labels}, then {@code teacher_probs} if used, then
 *                          {@code teacher_h<j>} for each mapped teacher layer
 * @param teacherLayers     teacher layers (1-based) whose outputs must be fed
 * @param metricVariables   metric name to graph variable (unweighted loss terms)
 * @param projectionParams  variables trained but not deployed
 * @param trial             the trial whose objective this is (method, T, alpha, weights, distance)
 * @param hints             the mapping's pairs as built (empty for baseline and response)
 */
public record DistillationObjective(
        List<String> labelPlaceholders,
        List<Integer> teacherLayers,
        Map<String, String> metricVariables,
        List<String> projectionParams,
        TrialSpec trial,
        List<Hint> hints) {

    public static final String LABELS = "labels";
    public static final String TEACHER_PROBS = "teacher_probs";
    /** {@code [n, 1]}: 1 where the training label may be used (transfer-data trials only). */
    public static final String LABEL_MASK = "label_mask";

    /** Name of the placeholder carrying teacher layer {@code j}. */
    public static String teacherLayerName(int j) {
        return "teacher_h" + j;
    }

    /**
     * Builds the objective and sets the graph's loss variables.
     *
     * @param teacherShape per-example shape of teacher hidden layer j (1-based)
     */
    public static DistillationObjective build(Network student, TrialSpec trial, int classes,
                                              IntFunction<long[]> teacherShape) {
        SameDiff sd = student.sd();
        List<String> labelNames = new ArrayList<>();
        Map<String, String> metrics = new LinkedHashMap<>();
        List<String> losses = new ArrayList<>();
        SDVariable labels = sd.placeHolder(LABELS, DataType.FLOAT, -1, classes);
        labelNames.add(LABELS);
        double alpha = trial.effectiveAlpha();
        double temperature = trial.effectiveTemperature();
        SDVariable teacherProbs = null;
        if (alpha < 1.0) {
            teacherProbs = sd.placeHolder(TEACHER_PROBS, DataType.FLOAT, -1, classes);
            labelNames.add(TEACHER_PROBS);
        }
        SDVariable labelMask = null;
        if (trial.effectiveLabelledFraction() < 1.0) {
            labelMask = sd.reshape(sd.placeHolder(LABEL_MASK, DataType.FLOAT, -1, 1), -1);
            labelNames.add(LABEL_MASK);
        }
        double w2 = trial.method().usesMapping() ? trial.effectiveWResponse() : 1.0;
        ResponseLoss.Terms response = ResponseLoss.build(sd, labels, teacherProbs, student.logits(), temperature, alpha, w2, labelMask);
        metrics.put("hard_ce", response.hardCe().name());
        if (response.softCe() != null) {
            metrics.put("soft_ce", response.softCe().name());
        }
        response.losses().forEach(l -> losses.add(l.name()));

        List<Integer> teacherLayers = new ArrayList<>();
        List<String> projections = List.of();
        List<Hint> hints = List.of();
        if (trial.method().usesMapping()) {
            TreeSet<Integer> needed = new TreeSet<>();
            trial.mapping().pairs().forEach(p -> needed.addAll(p.teacher()));
            Map<Integer, SDVariable> placeholders = new LinkedHashMap<>();
            for (int j : needed) {
                long units = FeatureLoss.size(teacherShape.apply(j));
                placeholders.put(j, sd.placeHolder(teacherLayerName(j), DataType.FLOAT, -1, units));
                labelNames.add(teacherLayerName(j));
                teacherLayers.add(j);
            }
            boolean relation = trial.method() == Method.RELATION;
            FeatureLoss.Terms feature = FeatureLoss.build(sd, student, trial.mapping(), trial.distance(), relation,
                    placeholders::get, teacherShape, trial.seed());
            String prefix = relation ? "relation" : "feature";
            metrics.put(prefix + "_loss1", feature.loss1().name());
            int m = 1;
            for (SDVariable term : feature.pairTerms()) {
                metrics.put(prefix + "_m" + m++, term.name());
            }
            // plain ops, so an outer weight does scale the gradient here
            losses.add(sd.identity("loss_feature", feature.loss1().mul(trial.effectiveWFeature())).name());
            projections = feature.projections();
            hints = feature.hints();
        }
        sd.setLossVariables(losses.toArray(String[]::new));
        return new DistillationObjective(List.copyOf(labelNames), List.copyOf(teacherLayers), metrics, projections, trial, hints);
    }
}
