package org.kdharness.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The candidate layer mappings of a sweep: written pairs resolved against the networks'
 * layers, and generators expanded per student architecture.
 *
 * <p>Why its own class: validation checks that every entry resolves, plan expansion and
 * the CKA advisor need the resolved candidates; one place expands them for all three.
 */
public final class MappingCandidates {

    private MappingCandidates() {
    }

    /** The student architectures a sweep compares: its {@code students} axis, else the student. */
    public static List<ModelSpec> students(SweepConfig c) {
        return c.sweep().students().isEmpty() ? List.of(c.student().model()) : c.sweep().students();
    }

    /** Every candidate mapping of a validated config for one student architecture, in order, without repeats. */
    public static List<LayerMapping> mappings(SweepConfig c, ModelSpec student) {
        return mappings(c, student, null);
    }

    /**
     * As {@link #mappings(SweepConfig, ModelSpec)}, with {@code ckaRanking} (candidates best
     * first, or null before it is measured) resolving {@code cka-top-k} generators.
     */
    public static List<LayerMapping> mappings(SweepConfig c, ModelSpec student, List<LayerMapping> ckaRanking) {
        java.util.LinkedHashMap<String, LayerMapping> out = new java.util.LinkedHashMap<>();
        for (JsonNode m : c.sweep().mappings()) {
            for (LayerMapping lm : expand(m, student, c.teacher().model(), ckaRanking)) {
                out.putIfAbsent(lm.name(), lm);
            }
        }
        return List.copyOf(out.values());
    }

    /** The {@code cka-top-k} generator entry of a config, if it has one. */
    public static java.util.Optional<JsonNode> ckaGenerator(SweepConfig c) {
        return c.sweep().mappings().stream().filter(m -> m.isObject() && "cka-top-k".equals(m.path("generator").asText())).findFirst();
    }

    public static List<LayerMapping> expand(JsonNode entry, ModelSpec student, ModelSpec teacher) {
        return expand(entry, student, teacher, null);
    }

    /** One {@code mappings} entry: a list of pairs, or a generator object. */
    public static List<LayerMapping> expand(JsonNode entry, ModelSpec student, ModelSpec teacher, List<LayerMapping> ckaRanking) {
        if (entry != null && entry.isObject() && entry.has("generator")) {
            for (java.util.Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("generator", "max", "weight", "k", "warmup_epochs", "sample", "seed").contains(k)) {
                    throw new IllegalArgumentException("unknown key '" + k + "' in a generator (known: generator, max, weight;"
                            + " for cka-top-k also k, warmup_epochs, sample; for random also k, seed)");
                }
            }
            int max = entry.path("max").asInt(0);
            if (max < 0) {
                throw new IllegalArgumentException("max must be >= 0");
            }
            if ("cka-top-k".equals(entry.get("generator").asText())) {
                int k = entry.path("k").asInt(3);
                if (k < 1 || entry.path("warmup_epochs").asInt(1) < 0 || entry.path("sample").asInt(1000) < 10) {
                    throw new IllegalArgumentException("cka-top-k needs k >= 1, warmup_epochs >= 0 and sample >= 10");
                }
                // resolved once the teacher exists and CKA has been measured (kd run / plan)
                return ckaRanking == null ? List.of() : ckaRanking.stream().limit(k).toList();
            }
            if ("random".equals(entry.get("generator").asText()) && entry.path("k").asInt(3) < 1) {
                throw new IllegalArgumentException("random needs k >= 1 draws");
            }
            return MappingGenerator.generate(entry.get("generator").asText(), student.hiddenLayerCount(),
                    teacher.hiddenLayerCount(), max, entry.path("weight").asDouble(1.0), entry.path("k").asInt(3),
                    entry.path("seed").asLong(0));
        }
        return List.of(resolvePairs(entry, student, teacher));
    }

    /**
     * Turns written pairs into a {@link LayerMapping}, checking every layer exists.
     *
     * @throws IllegalArgumentException naming the pair and layer at fault
     */
    public static LayerMapping resolvePairs(JsonNode specs, ModelSpec student, ModelSpec teacher) {
        if (specs == null || !specs.isArray() || specs.isEmpty()) {
            throw new IllegalArgumentException("a mapping is a list of {student, teacher} pairs or a {generator: ...}");
        }
        List<LayerMapping.Pair> pairs = new ArrayList<>();
        for (JsonNode p : specs) {
            if (!p.isObject() || !p.has("student") || !p.has("teacher")) {
                throw new IllegalArgumentException("each pair needs 'student' and 'teacher'");
            }
            for (java.util.Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("student", "teacher", "weight", "aggregate").contains(k)) {
                    throw new IllegalArgumentException("unknown key '" + k + "' in a pair (known: aggregate, student, teacher, weight)");
                }
            }
            int s = layer(p.get("student"), student, "student");
            List<Integer> ts = new ArrayList<>();
            if (p.get("teacher").isArray()) {
                for (JsonNode n : p.get("teacher")) {
                    ts.add(layer(n, teacher, "teacher"));
                }
            } else {
                ts.add(layer(p.get("teacher"), teacher, "teacher"));
            }
            if (ts.isEmpty()) {
                throw new IllegalArgumentException("student layer " + s + " maps to no teacher layer");
            }
            double w = p.path("weight").asDouble(1.0);
            if (!(w >= 0)) {
                throw new IllegalArgumentException("pair weight must be >= 0, got " + w);
            }
            String agg = p.path("aggregate").asText("mean");
            if (!agg.equals("mean") && !agg.equals("concat")) {
                throw new IllegalArgumentException("aggregate must be mean or concat, got '" + agg + "'");
            }
            pairs.add(new LayerMapping.Pair(s, ts, w, agg));
        }
        return new LayerMapping(pairs);
    }

    private static int layer(JsonNode ref, ModelSpec model, String side) {
        int count = model.hiddenLayerCount();
        List<String> names = model.tapNames();
        int idx;
        if (ref.isInt()) {
            idx = ref.asInt();
        } else if (ref.isTextual() && model.tapIndex(ref.asText()) > 0) {
            idx = model.tapIndex(ref.asText());
        } else if (ref.isTextual() && ref.asText().matches("h\\d+")) {
            idx = Integer.parseInt(ref.asText().substring(1));
        } else {
            String hint = model.residual() && !model.blockTaps() && ref.asText().matches("stage\\d+\\.block\\d+")
                    ? "; block outputs are taps with taps: blocks in the " + side + "'s model" : "";
            throw new IllegalArgumentException("unknown " + side + " layer '" + ref.asText()
                    + "' (use an index 1.." + count + " or a name " + (model.residual() || model.vgg() || model.onnx() ? String.join(", ", names) + " or " : "")
                    + "h1..h" + count + ")" + hint);
        }
        if (idx < 1 || idx > count) {
            throw new IllegalArgumentException(side + " layer " + idx + " is out of range: the " + side
                    + " has hidden layers 1.." + count);
        }
        return idx;
    }

}
