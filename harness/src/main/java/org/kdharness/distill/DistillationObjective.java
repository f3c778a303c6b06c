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
 * A trial's whole training objective added to the student's graph: its method's weighted
 * logit terms, plus {@code w1 * Loss1} over the mapping for methods that read layers, or over
 * every hidden layer of both networks for a method with a {@link TapLoss}.
 *
 * <p>Why the weights are kept here: the objective is built once from the method, and the
 * layer engine's step applies exactly these weights ({@link #logitTerms()},
 * {@link #temperature()}, {@link #layerWeight()}), never recomputing them from the trial. Each weighted piece is a
 * separate loss variable (SameDiff sums them); the unweighted terms ({@code hard_ce},
 * {@code soft_ce}, {@code feature_m*}, ...) are separate graph outputs recorded per epoch.
 *
 * @param inputs           what the label side of a batch feeds, in placeholder order
 * @param metricVariables  metric name to graph variable (unweighted loss terms)
 * @param projectionParams variables trained but not deployed
 * @param trial            the trial whose objective this is
 * @param logitTerms       the method's logit terms with the weights they were built with
 * @param temperature      T the terms were built with (1 when the method has none)
 * @param layerWeight      w1, the weight the layer loss was built with (0 without one)
 * @param hints            the mapping's pairs as built (empty without a layer loss)
 * @param validationMetrics names among the metrics also measured on the validation split after training
 * @param teacherShapes    per-example shape of teacher hidden layer j at index j - 1, as the objective was built for
 */
public record DistillationObjective(
        List<ObjectiveInput> inputs,
        Map<String, String> metricVariables,
        List<String> projectionParams,
        TrialSpec trial,
        List<WeightedTerm> logitTerms,
        double temperature,
        double layerWeight,
        List<Hint> hints,
        List<String> validationMetrics,
        List<long[]> teacherShapes) {

    public static final String LABELS = "labels";
    public static final String TEACHER_PROBS = "teacher_probs";
    /** {@code [n, 1]}: 1 where the training label may be used (transfer-data trials only). */
    public static final String LABEL_MASK = "label_mask";

    /** Name of the placeholder carrying teacher layer {@code j}. */
    public static String teacherLayerName(int j) {
        return "teacher_h" + j;
    }

    /** Placeholder names of {@link #inputs()}, in order (the training config's label mapping). */
    public List<String> labelPlaceholders() {
        return inputs.stream().map(ObjectiveInput::placeholder).toList();
    }

    /** Position of the first input of {@code kind}, or -1. */
    public int indexOf(ObjectiveInput.Kind kind) {
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).kind() == kind) {
                return i;
            }
        }
        return -1;
    }

    /** The distance of the layer loss, or null without one. */
    public LayerDistance distance() {
        return hints.isEmpty() ? null : trial.distance();
    }

    /**
     * Builds the objective and sets the graph's loss variables.
     *
     * @param teacherShapes per-example shape of teacher hidden layer j at index j - 1
     */
    public static DistillationObjective build(Network student, TrialSpec trial, int classes, List<long[]> teacherShapes) {
        SameDiff sd = student.sd();
        DistillationMethod method = trial.method();
        List<WeightedTerm> terms = List.copyOf(method.logitTerms(trial));
        List<ObjectiveInput> inputs = new ArrayList<>();
        Map<String, String> metrics = new LinkedHashMap<>();
        List<String> losses = new ArrayList<>();
        SDVariable labels = placeholder(sd, inputs, ObjectiveInput.of(ObjectiveInput.Kind.LABELS), classes);
        SDVariable teacherProbs = terms.stream().anyMatch(t -> t.term().needsTeacherProbs())
                ? placeholder(sd, inputs, ObjectiveInput.of(ObjectiveInput.Kind.TEACHER_PROBS), classes) : null;
        SDVariable teacherLogits = terms.stream().anyMatch(t -> t.term().needsTeacherLogits())
                ? placeholder(sd, inputs, ObjectiveInput.of(ObjectiveInput.Kind.TEACHER_LOGITS), classes) : null;
        SDVariable labelMask = trial.effectiveLabelledFraction() < 1.0
                ? sd.reshape(placeholder(sd, inputs, ObjectiveInput.of(ObjectiveInput.Kind.LABEL_MASK), 1), -1) : null;
        LogitTerm.Inputs in = new LogitTerm.Inputs(student.logits(), labels, teacherProbs, teacherLogits, labelMask,
                trial.effectiveTemperature());
        for (WeightedTerm t : terms) {
            LogitTerm.Graph g = t.term().build(sd, in, t.weight());
            g.metrics().forEach((name, v) -> {
                if (metrics.put(name, v.name()) != null) {
                    throw new IllegalStateException("two terms of method " + method.name() + " record metric " + name);
                }
            });
            g.losses().forEach(l -> losses.add(l.name()));
        }

        List<String> projections = List.of();
        List<Hint> hints = List.of();
        List<String> validation = List.of();
        double layerWeight = 0.0;
        IntFunction<long[]> teacherShape = j -> teacherShapes.get(j - 1);
        if (method.tapLoss() != null) {
            List<SDVariable> teacher = new ArrayList<>();
            for (int j = 1; j <= teacherShapes.size(); j++) {
                teacher.add(placeholder(sd, inputs, ObjectiveInput.teacherLayer(j), FeatureLoss.size(teacherShape.apply(j))));
            }
            TapLoss.Built built = method.tapLoss().build(sd, student, teacher, teacherShapes, trial.seed());
            metrics.put(method.name() + "_loss1", built.loss1().name());
            built.metrics().forEach((name, v) -> {
                if (metrics.put(name, v.name()) != null) {
                    throw new IllegalStateException("the tap loss of method " + method.name() + " records metric " + name + " twice");
                }
            });
            layerWeight = method.layerWeight(trial);
            losses.add(sd.identity("loss_feature", built.loss1().mul(layerWeight)).name());
            projections = built.projections();
            validation = built.validationMetrics();
        } else if (method.family() != null) {
            TreeSet<Integer> needed = new TreeSet<>();
            trial.mapping().pairs().forEach(p -> needed.addAll(p.teacher()));
            Map<Integer, SDVariable> placeholders = new LinkedHashMap<>();
            for (int j : needed) {
                placeholders.put(j, placeholder(sd, inputs, ObjectiveInput.teacherLayer(j), FeatureLoss.size(teacherShape.apply(j))));
            }
            FeatureLoss.Terms feature = FeatureLoss.build(sd, student, trial.mapping(), trial.distance(),
                    placeholders::get, teacherShape, trial.seed());
            String prefix = method.name();
            metrics.put(prefix + "_loss1", feature.loss1().name());
            int m = 1;
            for (SDVariable term : feature.pairTerms()) {
                metrics.put(prefix + "_m" + m++, term.name());
            }
            layerWeight = method.layerWeight(trial);
            // plain ops, so an outer weight does scale the gradient here
            losses.add(sd.identity("loss_feature", feature.loss1().mul(layerWeight)).name());
            projections = feature.projections();
            hints = feature.hints();
        }
        sd.setLossVariables(losses.toArray(String[]::new));
        return new DistillationObjective(List.copyOf(inputs), metrics, projections, trial, terms, in.temperature(), layerWeight,
                hints, validation, List.copyOf(teacherShapes));
    }

    private static SDVariable placeholder(SameDiff sd, List<ObjectiveInput> inputs, ObjectiveInput input, long width) {
        inputs.add(input);
        return sd.placeHolder(input.placeholder(), DataType.FLOAT, -1, width);
    }
}
