package org.kdharness.report;

import org.kdharness.methods.LearnedAssociation;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The trained association of one configuration of the learned-association method: per student
 * layer {@code l} and teacher layer {@code j}, the attention's mean over the validation split
 * (stored per trial as {@code val_association_s<l>_t<j>}), averaged over the configuration's seeds.
 *
 * <p>Why in the report: the association is the method's answer to "which layers to map"; the
 * heatmap shows it, and each student layer's strongest teacher layer is the mapping it chose.
 *
 * @param weights {@code weights[l - 1][j - 1]}; each row sums to 1
 * @param seeds   how many trials the means are over
 */
public record AssociationMap(double[][] weights, int seeds) {

    static final String PREFIX = "val_";

    /** The configuration's mean association, or null when its trials stored none. */
    public static AssociationMap of(ConfigGroup g) {
        int s = 0, t = 0;
        while (has(g, s + 1, 1)) {
            s++;
        }
        while (has(g, 1, t + 1)) {
            t++;
        }
        if (s == 0 || t == 0) {
            return null;
        }
        double[][] w = new double[s][t];
        for (int l = 1; l <= s; l++) {
            for (int j = 1; j <= t; j++) {
                w[l - 1][j - 1] = g.mean(PREFIX + LearnedAssociation.weightMetric(l, j));
            }
        }
        return new AssociationMap(w, (int) g.stats(PREFIX + LearnedAssociation.weightMetric(1, 1)).getN());
    }

    private static boolean has(ConfigGroup g, int l, int j) {
        return g.trials().stream().map(TrialRow::metrics).anyMatch(m -> m.containsKey(PREFIX + LearnedAssociation.weightMetric(l, j)));
    }

    /** Each student layer's strongest teacher layer and its weight, e.g. {@code s1 <- t3 (0.62), s2 <- t4 (0.91)}. */
    public String choice() {
        List<String> parts = new ArrayList<>();
        for (int l = 0; l < weights.length; l++) {
            int best = 0;
            for (int j = 1; j < weights[l].length; j++) {
                if (weights[l][j] > weights[l][best]) {
                    best = j;
                }
            }
            parts.add(String.format(Locale.ROOT, "s%d \u2190 t%d (%.2f)", l + 1, best + 1, weights[l][best]));
        }
        return String.join(", ", parts);
    }

    /** The heatmap, inline SVG. */
    public String svg(String title) {
        List<String> tl = new ArrayList<>(), sl = new ArrayList<>();
        for (int j = 1; j <= weights[0].length; j++) {
            tl.add("t" + j);
        }
        for (int l = 1; l <= weights.length; l++) {
            sl.add("s" + l);
        }
        return Charts.heatmap(title, "teacher layer", tl, "student layer", sl, weights, "attention", "%.2f");
    }
}
