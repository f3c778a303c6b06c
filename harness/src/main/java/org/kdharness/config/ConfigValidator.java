package org.kdharness.config;

import com.fasterxml.jackson.databind.JsonNode;
import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.MethodParameter;
import org.kdharness.methods.DistillationRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a whole sweep before anything runs or is written.
 *
 * <p>Why: an overnight sweep that dies at trial 40 on a typo wastes the night; every
 * impossible value (T &le; 0, alpha outside [0,1], a layer the network lacks) is caught
 * here, named by file, line and field.
 */
public final class ConfigValidator {

    /** Methods, distances and method parameters: the registry's, never a list of our own. */
    private static final DistillationRegistry REGISTRY = DistillationRegistry.standard();
    static final Set<String> ACTIVATIONS = Set.of("relu", "tanh", "sigmoid", "leaky_relu", "elu");
    static final Set<String> OPTIMISERS = Set.of("adam", "sgd", "nesterovs");

    private final String source;
    private final Map<String, Integer> lines;

    ConfigValidator(String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = lines;
    }

    void validate(SweepConfig c) {
        if (c.name() == null || !c.name().matches("[A-Za-z0-9_.-]+")) {
            fail("/name", "name", "sweep name is required and may hold only letters, digits, '.', '_' and '-'");
        }
        DatasetSpec d = c.dataset();
        check(d.validationFraction() > 0 && d.validationFraction() < 1, "/dataset/validation_fraction",
                "must be in (0, 1): model selection and early stopping read the validation split; got " + d.validationFraction());
        check(d.trainLimit() >= 0, "/dataset/train_limit", "must be >= 0");
        check(d.testLimit() >= 0, "/dataset/test_limit", "must be >= 0");
        if (c.teacher() == null || c.teacher().model() == null) {
            fail("/teacher", "teacher.model", "a teacher model is required");
        }
        if (c.student() == null || c.student().model() == null) {
            fail("/student", "student.model", "a student model is required");
        }
        network(c.teacher(), "/teacher");
        network(c.student(), "/student");
        axes(c);
        check(c.runtime().threadsPerTrial() >= 1, "/runtime/threads_per_trial", "must be >= 1");
        check(c.runtime().parallelTrials() >= 1, "/runtime/parallel_trials", "must be >= 1");
        check(c.runtime().engine().equals("auto") || c.runtime().engine().equals("graph"), "/runtime/engine",
                "must be 'auto' or 'graph', got '" + c.runtime().engine() + "'");
    }

    private void network(NetworkSpec n, String at) {
        model(n.model(), at + "/model");
        TrainingSpec t = n.training();
        check(t.epochs() >= 1, at + "/training/epochs", "must be >= 1");
        check(t.batchSize() >= 1, at + "/training/batch_size", "must be >= 1");
        check(t.learningRate() > 0, at + "/training/learning_rate", "must be > 0");
        check(OPTIMISERS.contains(t.optimiser()), at + "/training/optimiser", "unknown optimiser '" + t.optimiser() + "' (known: " + sorted(OPTIMISERS) + ")");
        check(t.weightDecay() >= 0, at + "/training/weight_decay", "must be >= 0");
        check(t.patience() >= 0, at + "/training/patience", "must be >= 0");
    }

    private void model(ModelSpec m, String at) {
        check(m.type().equals("mlp") || m.type().equals("cnn"), at + "/type", "must be mlp or cnn, got '" + m.type() + "'");
        check(!m.type().equals("mlp") || m.conv().isEmpty(), at + "/conv", "an mlp has no conv blocks (use type: cnn)");
        check(!m.type().equals("cnn") || !m.conv().isEmpty(), at + "/conv", "a cnn needs at least one conv block");
        check(m.hiddenLayerCount() > 0, at + "/hidden", "needs at least one hidden layer");
        for (int i = 0; i < m.hidden().size(); i++) {
            check(m.hidden().get(i) != null && m.hidden().get(i) > 0, at + "/hidden/" + i, "layer width must be > 0");
        }
        for (int i = 0; i < m.conv().size(); i++) {
            ModelSpec.ConvBlock b = m.conv().get(i);
            check(b.filters() > 0, at + "/conv/" + i + "/filters", "must be > 0");
            check(b.kernel() > 0, at + "/conv/" + i + "/kernel", "must be > 0");
        }
        check(ACTIVATIONS.contains(m.activation()), at + "/activation", "unknown activation '" + m.activation() + "' (known: " + sorted(ACTIVATIONS) + ")");
        check(m.dropout() >= 0 && m.dropout() < 1, at + "/dropout", "must be in [0, 1)");
    }

    private void axes(SweepConfig c) {
        SweepSpec s = c.sweep();
        check(!s.methods().isEmpty(), "/sweep/methods", "at least one method is required");
        List<DistillationMethod> methods = new ArrayList<>();
        for (int i = 0; i < s.methods().size(); i++) {
            String name = s.methods().get(i);
            check(REGISTRY.findMethod(name).isPresent(), "/sweep/methods/" + i,
                    "unknown method '" + name + "' (known: " + String.join(", ", REGISTRY.methodNames()) + ")");
            methods.add(REGISTRY.method(name));
        }
        for (int i = 0; i < s.temperature().size(); i++) {
            Double t = s.temperature().get(i);
            check(t != null && t > 0 && Double.isFinite(t), "/sweep/temperature/" + i, "temperature must be > 0, got " + t);
        }
        for (int i = 0; i < s.alpha().size(); i++) {
            Double a = s.alpha().get(i);
            check(a != null && a >= 0 && a <= 1, "/sweep/alpha/" + i, "alpha must be in [0, 1], got " + a);
        }
        for (int i = 0; i < s.wFeature().size(); i++) {
            check(s.wFeature().get(i) != null && s.wFeature().get(i) >= 0, "/sweep/w_feature/" + i, "must be >= 0");
        }
        for (int i = 0; i < s.wResponse().size(); i++) {
            check(s.wResponse().get(i) != null && s.wResponse().get(i) >= 0, "/sweep/w_response/" + i, "must be >= 0");
        }
        for (int i = 0; i < s.distance().size(); i++) {
            check(REGISTRY.findDistance(s.distance().get(i)).isPresent(), "/sweep/distance/" + i,
                    "unknown distance '" + s.distance().get(i) + "' (known: " + String.join(", ", REGISTRY.distanceNames()) + ")");
        }
        check(!s.seeds().isEmpty(), "/sweep/seeds", "at least one seed is required");
        for (DistillationMethod m : methods) {
            check(!m.reads(Axis.TEMPERATURE) || !s.temperature().isEmpty(), "/sweep/temperature",
                    "method '" + m.name() + "' needs at least one temperature");
            check(!m.reads(Axis.ALPHA) || !s.alpha().isEmpty(), "/sweep/alpha", "method '" + m.name() + "' needs at least one alpha");
            check(!m.reads(Axis.MAPPING) || !s.mappings().isEmpty(), "/sweep/mappings",
                    "method '" + m.name() + "' needs at least one layer mapping");
            if (m.family() != null) {
                check(s.distance().stream().anyMatch(d -> REGISTRY.accepts(m, d)), "/sweep/distance", "method '" + m.name()
                        + "' needs one of its distances (" + String.join(", ", REGISTRY.distanceNames(m.family())) + ")");
            }
            check(!m.needsEveryLabel() || s.labelledFraction().stream().allMatch(f -> f == null || f >= 1.0),
                    "/sweep/labelled_fraction", "method '" + m.name() + "' needs every training label, so it cannot use"
                            + " labelled_fraction < 1");
        }
        params(s.params(), methods, "/sweep/params");
        for (int i = 0; i < s.labelledFraction().size(); i++) {
            Double f = s.labelledFraction().get(i);
            check(f != null && f > 0 && f <= 1, "/sweep/labelled_fraction/" + i, "must be in (0, 1], got " + f);
        }
        for (int i = 0; i < s.students().size(); i++) {
            model(s.students().get(i), "/sweep/students/" + i);
        }
        for (int i = 0; i < s.learningRate().size(); i++) {
            Double lr = s.learningRate().get(i);
            check(lr != null && lr > 0, "/sweep/learning_rate/" + i, "learning rate must be > 0, got " + lr);
        }
        check(s.random() >= 0, "/sweep/random", "must be >= 0 (0 = the whole grid)");
        for (int i = 0; i < s.optimiser().size(); i++) {
            check(OPTIMISERS.contains(s.optimiser().get(i)), "/sweep/optimiser/" + i,
                    "unknown optimiser '" + s.optimiser().get(i) + "' (known: " + sorted(OPTIMISERS) + ")");
        }
        for (ModelSpec student : students(c)) {
            for (int i = 0; i < s.mappings().size(); i++) {
                try {
                    expand(s.mappings().get(i), student, c.teacher().model());
                } catch (IllegalArgumentException e) {
                    fail("/sweep/mappings/" + i, "sweep.mappings[" + i + "]", e.getMessage()
                            + (s.students().isEmpty() ? "" : " (student " + student.hidden() + ")"));
                }
            }
        }
        for (int i = 0; i < s.trials().size(); i++) {
            trial(c, s.trials().get(i), "/sweep/trials/" + i);
        }
    }

    private void trial(SweepConfig c, SweepSpec.TrialOverride t, String at) {
        check(t.method() != null && REGISTRY.findMethod(t.method()).isPresent(), at + "/method",
                "each explicit trial needs a method (known: " + String.join(", ", REGISTRY.methodNames()) + ")");
        DistillationMethod method = REGISTRY.method(t.method());
        check(t.temperature() == null || t.temperature() > 0, at + "/temperature", "temperature must be > 0");
        check(t.alpha() == null || (t.alpha() >= 0 && t.alpha() <= 1), at + "/alpha", "alpha must be in [0, 1]");
        check(t.wFeature() == null || t.wFeature() >= 0, at + "/w_feature", "must be >= 0");
        check(t.wResponse() == null || t.wResponse() >= 0, at + "/w_response", "must be >= 0");
        check(t.distance() == null || REGISTRY.findDistance(t.distance()).isPresent(), at + "/distance",
                "unknown distance '" + t.distance() + "' (known: " + String.join(", ", REGISTRY.distanceNames()) + ")");
        check(t.learningRate() == null || t.learningRate() > 0, at + "/learning_rate", "must be > 0");
        check(t.optimiser() == null || OPTIMISERS.contains(t.optimiser().toLowerCase()), at + "/optimiser", "unknown optimiser");
        check(t.labelledFraction() == null || (t.labelledFraction() > 0 && t.labelledFraction() <= 1),
                at + "/labelled_fraction", "must be in (0, 1]");
        check(t.distance() == null || method.family() == null || REGISTRY.accepts(method, t.distance()), at + "/distance",
                "distance '" + t.distance() + "' does not belong to method '" + t.method() + "'");
        check(!method.needsEveryLabel() || t.labelledFraction() == null || t.labelledFraction() >= 1.0, at + "/labelled_fraction",
                "method '" + method.name() + "' needs every training label, so it cannot use labelled_fraction < 1");
        Map<String, List<Double>> given = new java.util.TreeMap<>();
        t.params().forEach((k, v) -> given.put(k, java.util.Collections.singletonList(v)));
        params(given, List.of(method), at + "/params");
        if (t.student() != null) {
            model(t.student(), at + "/student");
        }
        ModelSpec student = t.student() != null ? t.student() : c.student().model();
        if (method.reads(Axis.MAPPING)) {
            check(t.mapping() != null || !c.sweep().mappings().isEmpty(), at + "/mapping", "a " + t.method() + " trial needs a mapping");
            if (t.mapping() != null) {
                try {
                    resolvePairs(t.mapping(), student, c.teacher().model());
                } catch (IllegalArgumentException e) {
                    fail(at + "/mapping", field(at + "/mapping"), e.getMessage());
                }
            }
        }
    }

    /** Each given parameter must belong to one of {@code methods} and hold valid values. */
    private void params(Map<String, List<Double>> given, List<DistillationMethod> methods, String at) {
        for (Map.Entry<String, List<Double>> e : given.entrySet()) {
            String where = at + "/" + e.getKey();
            MethodParameter p = methods.stream().flatMap(m -> m.parameters().stream())
                    .filter(q -> q.name().equals(e.getKey())).findFirst().orElse(null);
            if (p == null) {
                String known = String.join(", ", methods.stream().flatMap(m -> m.parameters().stream()).map(MethodParameter::name).toList());
                fail(where, field(where), "unknown parameter '" + e.getKey() + "' for the methods "
                        + methods.stream().map(DistillationMethod::name).toList() + " (known: " + (known.isEmpty() ? "none" : known) + ")");
            }
            check(!e.getValue().isEmpty(), where, "needs at least one value");
            for (int i = 0; i < e.getValue().size(); i++) {
                String problem = p.check(e.getValue().get(i));
                check(problem == null, where + "/" + i, problem);
            }
        }
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

    static List<LayerMapping> expand(JsonNode entry, ModelSpec student, ModelSpec teacher) {
        return expand(entry, student, teacher, null);
    }

    /** One {@code mappings} entry: a list of pairs, or a generator object. */
    static List<LayerMapping> expand(JsonNode entry, ModelSpec student, ModelSpec teacher, List<LayerMapping> ckaRanking) {
        if (entry != null && entry.isObject() && entry.has("generator")) {
            for (java.util.Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!Set.of("generator", "max", "weight", "k", "warmup_epochs", "sample").contains(k)) {
                    throw new IllegalArgumentException("unknown key '" + k + "' in a generator (known: generator, max, weight;"
                            + " for cka-top-k also k, warmup_epochs, sample)");
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
            return MappingGenerator.generate(entry.get("generator").asText(), student.hiddenLayerCount(),
                    teacher.hiddenLayerCount(), max, entry.path("weight").asDouble(1.0));
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
            int s = layer(p.get("student"), student.hiddenLayerCount(), "student");
            List<Integer> ts = new ArrayList<>();
            if (p.get("teacher").isArray()) {
                for (JsonNode n : p.get("teacher")) {
                    ts.add(layer(n, teacher.hiddenLayerCount(), "teacher"));
                }
            } else {
                ts.add(layer(p.get("teacher"), teacher.hiddenLayerCount(), "teacher"));
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

    private static int layer(JsonNode ref, int count, String side) {
        int idx;
        if (ref.isInt()) {
            idx = ref.asInt();
        } else if (ref.isTextual() && ref.asText().matches("h\\d+")) {
            idx = Integer.parseInt(ref.asText().substring(1));
        } else {
            throw new IllegalArgumentException("unknown " + side + " layer '" + ref.asText()
                    + "' (use an index 1.." + count + " or a name h1..h" + count + ")");
        }
        if (idx < 1 || idx > count) {
            throw new IllegalArgumentException(side + " layer " + idx + " is out of range: the " + side
                    + " has hidden layers 1.." + count);
        }
        return idx;
    }

    private void check(boolean ok, String pointer, String message) {
        if (!ok) {
            fail(pointer, field(pointer), message);
        }
    }

    private void fail(String pointer, String field, String message) {
        throw new ConfigException(source, lineOf(pointer), field, message);
    }

    private int lineOf(String pointer) {
        String p = pointer;
        while (true) {
            Integer l = lines.get(p);
            if (l != null) {
                return l;
            }
            int cut = p.lastIndexOf('/');
            if (cut <= 0) {
                return lines.getOrDefault("", 0);
            }
            p = p.substring(0, cut);
        }
    }

    private static String field(String pointer) {
        return pointer.substring(1).replaceAll("/(\\d+)", "[$1]").replace('/', '.');
    }

    private static String sorted(Set<String> s) {
        return String.join(", ", new java.util.TreeSet<>(s));
    }
}
