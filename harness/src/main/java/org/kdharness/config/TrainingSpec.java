package org.kdharness.config;

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
 */
public record TrainingSpec(
        Integer epochs,
        Integer batchSize,
        Double learningRate,
        String optimiser,
        Double weightDecay,
        Long seed,
        Integer patience) {

    public TrainingSpec {
        epochs = epochs == null ? 5 : epochs;
        batchSize = batchSize == null ? 128 : batchSize;
        learningRate = learningRate == null ? 1e-3 : learningRate;
        optimiser = optimiser == null ? "adam" : optimiser.toLowerCase();
        weightDecay = weightDecay == null ? 0.0 : weightDecay;
        seed = seed == null ? 0L : seed;
        patience = patience == null ? 0 : patience;
    }

    /** The defaults, for a config section left out entirely. */
    public static TrainingSpec defaults() {
        return new TrainingSpec(null, null, null, null, null, null, null);
    }
}
