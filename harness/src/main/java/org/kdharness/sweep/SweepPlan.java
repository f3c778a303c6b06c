package org.kdharness.sweep;

import org.kdharness.config.ConfigHash;
import org.kdharness.config.MappingCandidates;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.config.SweepSpec;
import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.MethodParameter;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.teacher.TeacherCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Expands a sweep's axes into trials.
 *
 * <p>Why conditional expansion: each method declares the axes it reads (a {@code baseline}
 * trial ignores T, alpha and mappings, a {@code response} trial ignores mappings and loss
 * weights); expanding only those means no two trials differ only in values that change
 * nothing. Trials are
 * keyed by id, so explicit trials equal to grid points are not duplicated either.
 *
 * @param trials the trials in run order
 */
public record SweepPlan(List<Trial> trials) {

    private static final DistillationRegistry REGISTRY = DistillationRegistry.standard();

    public static SweepPlan expand(SweepConfig c) {
        return expand(c, Map.of());
    }

    /**
     * @param ckaRankings per student architecture, CKA-ranked candidate mappings (resolves
     *                    {@code cka-top-k}; empty when the config has no such generator)
     */
    public static SweepPlan expand(SweepConfig c, Map<ModelSpec, List<LayerMapping>> ckaRankings) {
        SweepSpec s = c.sweep();
        // the teacher key already covers the data's content and split settings
        Map<String, Object> ctx = new java.util.TreeMap<>(Map.of("student", c.student(), "teacher", TeacherCache.key(c.dataset(), c.teacher())));
        if (c.teacher().model() != null && c.teacher().model().taps() != null) {
            // the teacher key leaves its tap layout out (same weights): its tap numbers mean other layers, so the ids have it
            ctx.put("teacher_taps", c.teacher().model().taps());
        }
        String context = ConfigHash.canonicalJson(ctx);
        List<ModelSpec> students = s.students().isEmpty() ? Collections.singletonList(null) : s.students();
        List<Double> rates = s.learningRate().isEmpty() ? Collections.singletonList(null) : s.learningRate();
        List<Double> fractions = s.labelledFraction().isEmpty() ? Collections.singletonList(null) : s.labelledFraction();
        List<String> optimisers = s.optimiser().isEmpty() ? Collections.singletonList(null) : s.optimiser();
        Map<String, TrialSpec> grid = new LinkedHashMap<>();
        for (ModelSpec student : students) {
            ModelSpec arch = student == null ? c.student().model() : student;
            List<LayerMapping> mappings = MappingCandidates.mappings(c, arch, ckaRankings.get(arch));
            for (Double lr : rates) {
                for (Double f : fractions) {
                    // a fraction of 1 is the fully labelled default: no separate trials
                    Double labelled = f == null || f >= 1.0 ? null : f;
                    for (String opt : optimisers) {
                        for (String m : s.methods()) {
                            for (TrialSpec t : method(REGISTRY.method(m), s, mappings, student, lr, labelled)) {
                                t = opt == null ? t : t.withOptimiser(opt);
                                grid.putIfAbsent(id(context, t), t);
                            }
                        }
                    }
                }
            }
        }
        List<Map.Entry<String, TrialSpec>> chosen = new ArrayList<>(grid.entrySet());
        // configurations (every setting but the seed) in grid order, each with its seeds' trials
        Map<TrialSpec, List<Map.Entry<String, TrialSpec>>> configs = new LinkedHashMap<>();
        chosen.forEach(e -> configs.computeIfAbsent(e.getValue().configuration(), k -> new ArrayList<>()).add(e));
        if (s.random() > 0 && s.random() < configs.size()) {
            // a seeded sample of configurations, each run at every seed so that comparisons stay paired;
            // kept in grid order
            List<List<Map.Entry<String, TrialSpec>>> all = new ArrayList<>(configs.values());
            Integer[] idx = new Integer[all.size()];
            Arrays.setAll(idx, i -> i);
            Collections.shuffle(Arrays.asList(idx), new Random(s.randomSeed()));
            Integer[] pick = Arrays.copyOf(idx, s.random());
            Arrays.sort(pick);
            List<Map.Entry<String, TrialSpec>> sample = new ArrayList<>();
            for (int i : pick) {
                sample.addAll(all.get(i));
            }
            chosen = sample;
        }
        Map<String, TrialSpec> all = new LinkedHashMap<>();
        chosen.forEach(e -> all.put(e.getKey(), e.getValue()));
        for (SweepSpec.TrialOverride o : s.trials()) {
            TrialSpec t = explicit(c, o, ckaRankings);
            if (t != null) {
                t = o.optimiser() == null ? t : t.withOptimiser(o.optimiser().toLowerCase());
                all.putIfAbsent(id(context, t), t);
            }
        }
        List<Trial> trials = new ArrayList<>();
        int ordinal = 0;
        for (Map.Entry<String, TrialSpec> e : all.entrySet()) {
            trials.add(new Trial(e.getKey(), ordinal++, e.getValue(), id(context, e.getValue().configuration())));
        }
        return new SweepPlan(List.copyOf(trials));
    }

    private static String id(String context, TrialSpec t) {
        return ConfigHash.sha256(context + "|" + t.canonical(), 12);
    }

    /**
     * The grid of one method: the product of the axes it reads, in the order mapping,
     * distance, T, alpha, w1, w2, its parameters (by name), seed; axes it does not read stay null.
     */
    private static List<TrialSpec> method(DistillationMethod method, SweepSpec s, List<LayerMapping> mappings,
                                          ModelSpec student, Double lr, Double labelled) {
        List<LayerMapping> maps = method.reads(Axis.MAPPING) ? mappings : Collections.singletonList(null);
        List<LayerDistance> distances = method.family() == null ? Collections.singletonList(null)
                : s.distance().stream().filter(d -> REGISTRY.accepts(method, d)).map(REGISTRY::distance).toList();
        List<Double> ts = axis(method, Axis.TEMPERATURE, s.temperature()), as = axis(method, Axis.ALPHA, s.alpha());
        List<Double> wfs = axis(method, Axis.W_FEATURE, s.wFeature()), wrs = axis(method, Axis.W_RESPONSE, s.wResponse());
        List<TrialSpec> out = new ArrayList<>();
        for (LayerMapping map : maps) {
            for (LayerDistance d : distances) {
                for (Double t : ts) {
                    for (Double a : as) {
                        for (Double wf : wfs) {
                            for (Double wr : wrs) {
                                for (java.util.SortedMap<String, Double> p : parameterGrid(method, s.params())) {
                                    for (long seed : s.seeds()) {
                                        out.add(TrialSpec.of(method, seed).temperature(t).alpha(a).weights(wf, wr).mapping(map, d)
                                                .student(student).learningRate(lr).labelledFraction(labelled).params(p).build());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<Double> axis(DistillationMethod method, Axis axis, List<Double> values) {
        return method.reads(axis) ? values : Collections.singletonList(null);
    }

    /** Every combination of the method's parameters: the swept values, else each one's defaults. */
    static List<java.util.SortedMap<String, Double>> parameterGrid(DistillationMethod method, Map<String, List<Double>> swept) {
        List<java.util.SortedMap<String, Double>> grid = new ArrayList<>();
        grid.add(new java.util.TreeMap<>());
        for (MethodParameter p : method.parameters()) {
            List<java.util.SortedMap<String, Double>> next = new ArrayList<>();
            for (java.util.SortedMap<String, Double> partial : grid) {
                for (double v : swept.getOrDefault(p.name(), p.defaults())) {
                    java.util.SortedMap<String, Double> m = new java.util.TreeMap<>(partial);
                    m.put(p.name(), v);
                    next.add(m);
                }
            }
            grid = next;
        }
        return grid;
    }

    /** An explicit trial: given values, else the first of each axis; ignored axes dropped. */
    private static TrialSpec explicit(SweepConfig c, SweepSpec.TrialOverride o, Map<ModelSpec, List<LayerMapping>> ckaRankings) {
        SweepSpec s = c.sweep();
        DistillationMethod method = REGISTRY.method(o.method());
        long seed = o.seed() != null ? o.seed() : s.seeds().get(0);
        ModelSpec student = o.student();
        Double labelled = o.labelledFraction() == null || o.labelledFraction() >= 1.0 ? null : o.labelledFraction();
        Double t = !method.reads(Axis.TEMPERATURE) ? null : o.temperature() != null ? o.temperature() : s.temperature().get(0);
        Double a = !method.reads(Axis.ALPHA) ? null : o.alpha() != null ? o.alpha() : s.alpha().get(0);
        Double wf = !method.reads(Axis.W_FEATURE) ? null : o.wFeature() != null ? o.wFeature() : s.wFeature().get(0);
        Double wr = !method.reads(Axis.W_RESPONSE) ? null : o.wResponse() != null ? o.wResponse() : s.wResponse().get(0);
        java.util.SortedMap<String, Double> params = new java.util.TreeMap<>();
        for (MethodParameter p : method.parameters()) {
            params.put(p.name(), o.params().containsKey(p.name()) ? o.params().get(p.name())
                    : s.params().getOrDefault(p.name(), p.defaults()).get(0));
        }
        if (!method.reads(Axis.MAPPING)) {
            return TrialSpec.of(method, seed).temperature(t).alpha(a).weights(wf, wr).student(student).learningRate(o.learningRate())
                    .labelledFraction(labelled).params(params).build();
        }
        ModelSpec arch = student != null ? student : c.student().model();
        List<LayerMapping> candidates = MappingCandidates.mappings(c, arch, ckaRankings.get(arch));
        if (o.mapping() == null && candidates.isEmpty() && ckaRankings.isEmpty() && MappingCandidates.ckaGenerator(c).isPresent()) {
            return null; // defaults to the best CKA mapping once it is measured
        }
        if (o.mapping() == null && candidates.isEmpty()) {
            throw new IllegalArgumentException("explicit " + o.method() + " trial without a mapping, and no mapping to default to yet");
        }
        LayerMapping mapping = o.mapping() != null ? MappingCandidates.resolvePairs(o.mapping(), arch, c.teacher().model())
                : candidates.get(0);
        String distance = o.distance() != null ? o.distance()
                : s.distance().stream().filter(d -> REGISTRY.accepts(method, d)).findFirst().orElseThrow();
        return TrialSpec.of(method, seed).temperature(t).alpha(a)
                .weights(wf, wr).mapping(mapping, REGISTRY.distance(distance)).student(student).learningRate(o.learningRate())
                .labelledFraction(labelled).params(params).build();
    }

    /** Number of trials per method, in plan order. */
    public Map<String, Integer> countsByMethod() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        trials.forEach(t -> counts.merge(t.spec().method().name(), 1, Integer::sum));
        return counts;
    }
}
