package org.kdharness.sweep;

import org.kdharness.config.ConfigHash;
import org.kdharness.config.ConfigValidator;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.SweepConfig;
import org.kdharness.config.SweepSpec;
import org.kdharness.distill.Method;
import org.kdharness.distill.TrialSpec;
import org.kdharness.teacher.TeacherCache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands a sweep's axes into trials.
 *
 * <p>Why conditional expansion: a {@code baseline} trial ignores T, alpha and mappings, a
 * {@code response} trial ignores mappings and loss weights; expanding only the axes a
 * method uses means no two trials differ only in values that change nothing.
 *
 * @param trials the trials in run order
 */
public record SweepPlan(List<Trial> trials) {

    public static SweepPlan expand(SweepConfig c) {
        SweepSpec s = c.sweep();
        List<LayerMapping> mappings = ConfigValidator.mappings(c);
        // the teacher key already covers the data's content and split settings
        String context = ConfigHash.canonicalJson(Map.of(
                "student", c.student(),
                "teacher", TeacherCache.key(c.dataset(), c.teacher())));
        Map<String, TrialSpec> specs = new LinkedHashMap<>();
        for (String m : s.methods()) {
            Method method = Method.parse(m);
            List<TrialSpec> expanded = new ArrayList<>();
            switch (method) {
                case BASELINE -> s.seeds().forEach(seed ->
                        expanded.add(new TrialSpec(method, null, null, null, null, null, null, seed)));
                case RESPONSE -> {
                    for (double t : s.temperature()) {
                        for (double a : s.alpha()) {
                            for (long seed : s.seeds()) {
                                expanded.add(new TrialSpec(method, t, a, null, null, null, null, seed));
                            }
                        }
                    }
                }
                case FEATURE -> {
                    for (LayerMapping map : mappings) {
                        for (String d : s.distance()) {
                            for (double t : s.temperature()) {
                                for (double a : s.alpha()) {
                                    for (double wf : s.wFeature()) {
                                        for (double wr : s.wResponse()) {
                                            for (long seed : s.seeds()) {
                                                expanded.add(new TrialSpec(method, t, a, wf, wr, map, d, seed));
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            for (TrialSpec t : expanded) {
                specs.putIfAbsent(ConfigHash.sha256(context + "|" + t.canonical(), 12), t);
            }
        }
        List<Trial> trials = new ArrayList<>();
        int ordinal = 0;
        for (Map.Entry<String, TrialSpec> e : specs.entrySet()) {
            trials.add(new Trial(e.getKey(), ordinal++, e.getValue()));
        }
        return new SweepPlan(List.copyOf(trials));
    }

    /** Number of trials per method, in plan order. */
    public Map<String, Integer> countsByMethod() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        trials.forEach(t -> counts.merge(t.spec().method().id(), 1, Integer::sum));
        return counts;
    }
}
