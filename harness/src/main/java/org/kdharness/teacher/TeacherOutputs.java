package org.kdharness.teacher;

import org.kdharness.data.DataSplits;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.HashMap;
import java.util.Map;

/**
 * The teacher's logits and hidden-layer outputs on the sweep's data, computed once and
 * shared by every trial.
 *
 * <p>Why: recomputing the teacher per trial would make a sweep's cost grow with the
 * teacher; with this cache it grows with student training only. Values are computed on
 * first use and kept for the life of the worker (thread-safe).
 */
public final class TeacherOutputs {

    /** Which split an output belongs to. */
    public enum Split { TRAIN, VALIDATION, TEST }

    private final Teacher teacher;
    private final DataSplits data;
    private final Map<String, INDArray> cache = new HashMap<>();

    public TeacherOutputs(Teacher teacher, DataSplits data) {
        this.teacher = teacher;
        this.data = data;
    }

    public Teacher teacher() {
        return teacher;
    }

    /** Teacher logits {@code [n, C]} on a split. */
    public synchronized INDArray logits(Split split) {
        return cache.computeIfAbsent("logits/" + split, k -> teacher.model().logits(features(split)));
    }

    /** Teacher hidden layer {@code layer} (1-based), flattened per example, on the training split. */
    public INDArray hidden(int layer) {
        return hidden(layer, Split.TRAIN);
    }

    /** Teacher hidden layer {@code layer} (1-based), flattened per example, on a split. */
    public synchronized INDArray hidden(int layer, Split split) {
        return cache.computeIfAbsent("h" + layer + "/" + split, k -> teacher.model().tap(features(split), layer));
    }

    /** Per-example shape of teacher hidden layer {@code layer} (1-based): {@code [d]} or {@code [c, h, w]}. */
    public long[] hiddenShape(int layer) {
        return teacher.model().tapShapes().get(layer - 1);
    }

    private INDArray features(Split split) {
        return switch (split) {
            case TRAIN -> data.train().features();
            case VALIDATION -> data.validation().features();
            case TEST -> data.test().features();
        };
    }
}
