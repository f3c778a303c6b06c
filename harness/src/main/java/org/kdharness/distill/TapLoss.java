package org.kdharness.distill;

import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * A layer loss a method builds over every hidden layer (tap) of both networks itself, instead
 * of over a {@code LayerMapping} the sweep supplies: the method decides which layers to compare
 * (e.g. by learning an association between them).
 *
 * <p>Why beside {@link FeatureLoss} rather than inside it: a mapping is the researcher's choice
 * and a sweep axis; a tap loss makes that choice itself, so its trials cross no mapping axis and
 * the objective feeds it every teacher layer. No tap loss has a hand gradient: on the layer engine
 * SameDiff differentiates it alone on the engine's taps ({@code train.TapGraph}), for every student
 * the builders make.
 */
public interface TapLoss {

    /**
     * Adds the loss to the student's graph.
     *
     * @param student       the student (its hidden layers are the student taps)
     * @param teacherLayers teacher layer j at index j - 1, flattened per example ({@code [n, d_j]})
     * @param teacherShapes per-example shape of teacher layer j at index j - 1
     * @param seed          seeds the loss's trainable variables
     */
    Built build(SameDiff sd, Network student, List<SDVariable> teacherLayers, List<long[]> teacherShapes, long seed);

    /**
     * The built loss.
     *
     * @param loss1             the layer loss, before the method's weight w1
     * @param metrics           scalar graph variables recorded per epoch (on the training sample), by metric name
     * @param validationMetrics names among {@code metrics} also measured on the whole validation split after
     *                          training (stored as {@code val_<name>})
     * @param projections       trainable variables that are not part of the deployed student
     */
    record Built(SDVariable loss1, Map<String, SDVariable> metrics, List<String> validationMetrics, List<String> projections) {

        public Built {
            metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
            validationMetrics = List.copyOf(validationMetrics);
            projections = List.copyOf(projections);
        }
    }
}
