package org.kdharness.train;

import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;

/**
 * The optimiser step over a trial's trained arrays: regularisation, the configured updater and the
 * subtraction, per parameter, as SameDiff's training session applies a {@link TrainingConfig}.
 *
 * <p>Why one class: the layer engine's step must apply exactly the optimiser the graph would, so that a
 * trial's result does not depend on its path; {@code PlainStepTest} and {@code LayerStepTest} compare whole
 * steps with the graph's.
 */
final class Updates {

    /** A trained array, its gradient buffer and its updater. */
    record Param(String name, INDArray value, INDArray gradient, GradientUpdater updater) {
    }

    private final TrainingConfig config;
    private final List<Param> params = new ArrayList<>();

    Updates(TrainingConfig config) {
        this.config = config;
    }

    /** The parameter {@code name} with a new zero gradient buffer, or the one already added under that name. */
    Param add(String name, INDArray value) {
        for (Param p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return add(name, value, Nd4j.zeros(value.dataType(), value.shape()));
    }

    /** The parameter {@code name}, whose gradient some layer writes into {@code gradient}. */
    Param add(String name, INDArray value, INDArray gradient) {
        // as SameDiff's training session creates its updaters
        long stateSize = config.getUpdater().stateSize(value.length());
        INDArray state = stateSize == 0 ? null : Nd4j.createUninitialized(value.dataType(), 1, stateSize);
        GradientUpdater updater = config.getUpdater().instantiate(state, false);
        updater.setStateViewArray(state, value.shape(), value.ordering(), true);
        Param p = new Param(name, value, gradient, updater);
        params.add(p);
        return p;
    }

    List<Param> params() {
        return List.copyOf(params);
    }

    /** One optimiser step of every parameter from its gradient. */
    void step(int iteration, int epoch) {
        List<Regularization> regularization = config.getRegularization();
        double lr = config.getUpdater().hasLearningRate() ? config.getUpdater().getLearningRate(iteration, epoch) : 1.0;
        boolean regularised = regularization != null && !regularization.isEmpty();
        for (Param p : params) {
            if (p.updater() instanceof DirectAdam adam && !regularised) {
                adam.step(p.value(), p.gradient(), iteration, epoch);
                continue;
            }
            apply(regularization, Regularization.ApplyStep.BEFORE_UPDATER, p, lr, iteration, epoch);
            p.updater().applyUpdater(p.gradient(), iteration, epoch);
            apply(regularization, Regularization.ApplyStep.POST_UPDATER, p, lr, iteration, epoch);
            p.value().subi(p.gradient());
        }
    }

    private static void apply(List<Regularization> regularization, Regularization.ApplyStep when, Param p, double lr, int iteration,
                              int epoch) {
        if (regularization == null) {
            return;
        }
        for (Regularization r : regularization) {
            if (r.applyStep() == when) {
                r.apply(p.value(), p.gradient(), lr, iteration, epoch);
            }
        }
    }
}
