package org.kdharness.sweep;

import org.kdharness.config.ModelSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.ImageData;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.HashSet;
import java.util.Set;

/**
 * Builds every distinct trial graph once, without data, before anything is trained or
 * written.
 *
 * <p>Why: some impossible mappings only show with real layer shapes (a 7x7 map pooled onto
 * a 3x3 one, attention transfer on a dense layer); finding them at trial 40 of an
 * overnight run would waste the night, so the run refuses to start and names the mapping.
 */
final class Preflight {

    private Preflight() {
    }

    /**
     * @param teacherTaps the teacher's taps' per-example shapes
     * @throws IllegalArgumentException naming the first trial whose graph cannot be built
     */
    static void check(SweepConfig c, SweepPlan plan, ImageData train, java.util.List<long[]> teacherTaps) {
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(train.channels(), train.height(), train.width());
        Set<String> seen = new HashSet<>();
        for (Trial t : plan.trials()) {
            TrialSpec s = t.spec();
            ModelSpec arch = s.student() != null ? s.student() : c.student().model();
            String key = s.method() + "|" + arch + "|" + (s.mapping() == null ? "" : s.mapping().name()) + "|" + s.distance()
                    + "|" + (s.labelledFraction() != null);
            if (!seen.add(key)) {
                continue;
            }
            try {
                Network net = NetworkBuilder.build(SameDiff.create(), "", arch, shape, train.numClasses(), 0);
                DistillationObjective.build(net, s, train.numClasses(), teacherTaps);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("trial " + t.id() + " (" + TrialLabel.of(s) + ") cannot be built: "
                        + e.getMessage(), e);
            }
        }
    }
}
