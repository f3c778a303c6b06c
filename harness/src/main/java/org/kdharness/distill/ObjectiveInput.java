package org.kdharness.distill;

/**
 * One array an objective reads beside the student's input, fed per batch: the typed
 * description of the objective's label-side placeholders.
 *
 * <p>Why typed: the trial runner, the layer engine's step, the loss probe and the benchmark
 * all need to know what to feed; they switch on {@link #kind()} instead of decoding
 * placeholder names.
 *
 * @param kind         what the array holds
 * @param teacherLayer for {@link Kind#TEACHER_LAYER}, the teacher's hidden layer (1-based), else 0
 */
public record ObjectiveInput(Kind kind, int teacherLayer) {

    public enum Kind {
        /** One-hot labels {@code [n, C]}. */
        LABELS,
        /** {@code softmax(z_t/T)} at the trial's temperature {@code [n, C]}. */
        TEACHER_PROBS,
        /** The teacher's logits {@code z_t} {@code [n, C]}. */
        TEACHER_LOGITS,
        /** {@code [n, 1]}: 1 where the training label may be used (transfer-data trials). */
        LABEL_MASK,
        /** A teacher hidden layer, flattened per example. */
        TEACHER_LAYER
    }

    public static ObjectiveInput of(Kind kind) {
        if (kind == Kind.TEACHER_LAYER) {
            throw new IllegalArgumentException("a teacher layer input names its layer: use teacherLayer(j)");
        }
        return new ObjectiveInput(kind, 0);
    }

    public static ObjectiveInput teacherLayer(int j) {
        return new ObjectiveInput(Kind.TEACHER_LAYER, j);
    }

    /** The graph placeholder's name. */
    public String placeholder() {
        return switch (kind) {
            case LABELS -> DistillationObjective.LABELS;
            case TEACHER_PROBS -> DistillationObjective.TEACHER_PROBS;
            case TEACHER_LOGITS -> "teacher_logits";
            case LABEL_MASK -> DistillationObjective.LABEL_MASK;
            case TEACHER_LAYER -> DistillationObjective.teacherLayerName(teacherLayer);
        };
    }
}
