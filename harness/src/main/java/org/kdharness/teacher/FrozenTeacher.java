package org.kdharness.teacher;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A trained teacher as distillation reads it: logits and taps for rows of images, inference only.
 *
 * <p>Why an interface: a teacher is either a network this harness trained ({@link NetworkTeacher}) or one trained
 * elsewhere and run by ONNX Runtime ({@link ImportedTeacher}); what trials, CKA and the estimate read of it is the
 * same. Implementations are safe to call from several threads (the sweep's trials side by side).
 */
public interface FrozenTeacher extends AutoCloseable {

    /** Logits {@code [n, classes]} for rows {@code x} ({@code [n, c·h·w]}). */
    INDArray logits(INDArray x);

    /** Tap {@code layer} (1-based, in the order mappings number them) for rows {@code x}, flattened per example. */
    INDArray tap(INDArray x, int layer);

    /** Per-example shape of each tap: {@code [d]} or {@code [c, h, w]}. */
    List<long[]> tapShapes();

    /** Parameter count, for the compression ratio. */
    long paramCount();

    /** Frees what the teacher holds outside the JVM's heap (an ONNX Runtime session); nothing for a network. */
    @Override
    default void close() {
    }
}
