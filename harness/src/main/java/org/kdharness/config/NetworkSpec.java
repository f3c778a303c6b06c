package org.kdharness.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A network's architecture together with how it is trained, or, for a teacher, the ONNX file it was exported to.
 *
 * <p>Why: the teacher section and the student section of a sweep have the same shape.
 *
 * @param model    the architecture (for an imported teacher, its taps as the file declares them: set when loaded)
 * @param training the optimisation settings (not read for an imported teacher)
 * @param onnx     a teacher trained elsewhere and run with ONNX Runtime, or null
 */
public record NetworkSpec(ModelSpec model, TrainingSpec training, @JsonInclude(JsonInclude.Include.NON_NULL) OnnxSpec onnx) {
    public NetworkSpec {
        training = training == null ? TrainingSpec.defaults() : training;
    }

    /** A network this harness builds and trains. */
    public NetworkSpec(ModelSpec model, TrainingSpec training) {
        this(model, training, null);
    }
}
