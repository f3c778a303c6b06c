package org.kdharness.train;

import org.kdharness.config.TrainingSpec;

/** Test access to the rate the trainer's optimiser reads in a 0-based epoch. */
public final class EpochScheduleProbe {

    private EpochScheduleProbe() {
    }

    public static double rate(TrainingSpec spec, int epoch) {
        return Trainer.updater(spec).getLearningRate(0, epoch);
    }
}
