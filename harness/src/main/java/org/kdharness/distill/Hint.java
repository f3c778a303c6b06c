package org.kdharness.distill;

import java.util.List;

/**
 * One mapping pair as built into the objective: the student layer, the pair's weight, and
 * what each of its terms compares. The pair's distance is the mean over its targets of
 * {@code d(proj(h_s), t)}, where {@code t} is the target's teacher layer (or several
 * teacher layers concatenated, for {@code aggregate: concat}).
 *
 * <p>Why a record beside the graph: the layer engine's hint terms ({@code train.EngineHints}) need the same
 * structure (which projection belongs to which teacher layer) to compute the gradient the
 * graph would.
 *
 * @param studentLayer student hidden layer, 1-based
 * @param weight       the pair's weight {@code w_m}
 * @param targets      the terms averaged into the pair's distance
 */
public record Hint(int studentLayer, double weight, List<Target> targets) {

    public Hint {
        targets = List.copyOf(targets);
    }

    /**
     * One term of a pair.
     *
     * @param teacherLayers    teacher layers compared (1-based; several = concatenated)
     * @param projectionWeight projection weight variable, null when the widths agree
     * @param projectionBias   projection bias variable, null when the widths agree
     * @param convolutional    whether the projection is a 1x1 convolution on feature maps
     */
    public record Target(List<Integer> teacherLayers, String projectionWeight, String projectionBias, boolean convolutional) {

        public Target {
            teacherLayers = List.copyOf(teacherLayers);
        }
    }
}
