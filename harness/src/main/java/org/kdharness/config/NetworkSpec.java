package org.kdharness.config;

/**
 * A network's architecture together with how it is trained.
 *
 * <p>Why: the teacher section and the student section of a sweep have the same shape.
 *
 * @param model    the architecture
 * @param training the optimisation settings
 */
public record NetworkSpec(ModelSpec model, TrainingSpec training) {
    public NetworkSpec {
        training = training == null ? TrainingSpec.defaults() : training;
    }
}
