package org.kdharness.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a network is optimised: epochs, batch, optimiser and learning rate.
 *
 * <p>Why: part of both the teacher cache key and every trial id, so it is a plain value
 * with defaults applied in one place.
 *
 * @param epochs         passes over the training split
 * @param batchSize      minibatch size
 * @param learningRate   optimiser step size
 * @param optimiser      {@code adam}, {@code sgd} or {@code nesterovs}
 * @param weightDecay    L2 weight decay coefficient (0 = none)
 * @param seed           seed of the teacher's initial weights and data order (teacher only;
 *                       trials take theirs from the {@code seed} axis)
 * @param patience       early-stopping patience in epochs on validation accuracy (0 = off)
 * @param momentum       {@code sgd}: classical momentum as PyTorch's SGD ({@code v = mu v + g},
 *                       step {@code lr v}; weight decay then joins the gradient before momentum,
 *                       as PyTorch's {@code weight_decay}); {@code nesterovs}: ND4J's Nesterov
 *                       momentum (default 0.9; its step and its decoupled weight decay are not
 *                       PyTorch's {@code nesterov=True}); unset = 0 for sgd
 * @param schedule       the learning rate over epochs ({@link LrSchedule}); unset = constant
 * @param batchNorm      what BatchNorm's running statistics (what inference normalises with) are:
 *                       {@code running} (unset), PyTorch's running average updated in every training
 *                       step with momentum 0.1; or {@code precise}, the population statistics of the
 *                       first 4,096 examples of each epoch's order, measured after the epoch
 *                       ("precise BN", as pycls and Detectron use)
 *
 * <p>The three later settings are left out of the canonical JSON when unset, so the teacher
 * keys and trial ids of every config written before them are unchanged.
 */
public record TrainingSpec(
        Integer epochs,
        Integer batchSize,
        Double learningRate,
        String optimiser,
        Double weightDecay,
        Long seed,
        Integer patience,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double momentum,
        @JsonInclude(JsonInclude.Include.NON_NULL) LrSchedule schedule,
        @JsonInclude(JsonInclude.Include.NON_NULL) String batchNorm) {

    /** BatchNorm's running statistics as PyTorch keeps them (the default). */
    public static final String RUNNING = "running";
    /** BatchNorm's statistics measured over a sample after each epoch. */
    public static final String PRECISE = "precise";

    /** With BatchNorm's default statistics. */
    public TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, String optimiser, Double weightDecay, Long seed,
                        Integer patience, Double momentum, LrSchedule schedule) {
        this(epochs, batchSize, learningRate, optimiser, weightDecay, seed, patience, momentum, schedule, null);
    }

    /** Without momentum or schedule (the earlier seven settings). */
    public TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, String optimiser, Double weightDecay, Long seed,
                        Integer patience) {
        this(epochs, batchSize, learningRate, optimiser, weightDecay, seed, patience, null, null);
    }

    public TrainingSpec {
        epochs = epochs == null ? 5 : epochs;
        batchSize = batchSize == null ? 128 : batchSize;
        learningRate = learningRate == null ? 1e-3 : learningRate;
        optimiser = optimiser == null ? "adam" : optimiser.toLowerCase();
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        seed = seed == null ? 0L : seed;
        patience = patience == null ? 0 : patience;
        // a setting equal to its default is the unset setting: the same training, the same ids
        if (momentum != null && momentum == (optimiser.equals("nesterovs") ? 0.9 : 0.0) && !optimiser.equals("adam")) {
            momentum = null;
        }
        if (schedule != null && schedule.isConstant()) {
            schedule = null;
        }
        batchNorm = batchNorm == null || batchNorm.equalsIgnoreCase(RUNNING) ? null : batchNorm.toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether BatchNorm's statistics are measured after each epoch instead of kept as a running average. */
    public boolean preciseBatchNorm() {
        return PRECISE.equals(batchNorm);
    }

    /** The same recipe run for {@code n} epochs without early stopping (the wall-time estimate's timed runs). */
    public TrainingSpec forEpochs(int n) {
        return new TrainingSpec(n, batchSize, learningRate, optimiser, weightDecay, seed, 0, momentum, schedule, batchNorm);
    }

    /** The momentum the optimiser runs with: as set, else 0.9 for {@code nesterovs} and 0 otherwise. */
    public double effectiveMomentum() {
        return momentum != null ? momentum : optimiser.equals("nesterovs") ? 0.9 : 0.0;
    }

    /** The defaults, for a config section left out entirely. */
    public static TrainingSpec defaults() {
        return new TrainingSpec(null, null, null, null, null, null, null, null, null, null);
    }
}
