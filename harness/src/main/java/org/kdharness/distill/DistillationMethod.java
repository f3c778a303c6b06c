package org.kdharness.distill;

import java.util.List;
import java.util.Set;

/**
 * A training method: a weighted sum of registered terms, and the sweep axes it reads.
 *
 * <p>Why the method owns its axes and weights: config validation, plan expansion, the
 * objective, the layer engine's step and the report all ask the method (through the registry,
 * {@code methods.DistillationRegistry}), so nothing elsewhere knows a method by name, and the
 * weights the layer engine applies are the ones the objective was built with.
 */
public interface DistillationMethod {

    /** Registry name, as written under {@code sweep.methods}. */
    String name();

    /** The standard axes the method reads; all others are null in its trials. */
    Set<Axis> axes();

    /** The method's own numeric axes ({@code sweep.params}), none by default. */
    default List<MethodParameter> parameters() {
        return List.of();
    }

    /** The distances a mapping of this method may use, or null when it reads no layers. */
    default LayerDistance.Family family() {
        return null;
    }

    /**
     * A layer loss the method builds over every hidden layer of both networks itself, or null
     * (the default). A method has a tap loss or a {@link #family()}, never both.
     */
    default TapLoss tapLoss() {
        return null;
    }

    /** The logit terms of a trial's objective with their weights (a zero weight keeps only the metric). */
    List<WeightedTerm> logitTerms(TrialSpec trial);

    /** w1, the weight of the layer loss {@code sum_m w_m d_m} (0 for methods without one). */
    default double layerWeight(TrialSpec trial) {
        return 0.0;
    }

    /**
     * Whether the method needs the true label of every training example (so it cannot train
     * on an unlabelled transfer pool, {@code labelled_fraction < 1}).
     */
    default boolean needsEveryLabel() {
        return false;
    }

    default boolean reads(Axis axis) {
        return axes().contains(axis);
    }
}
