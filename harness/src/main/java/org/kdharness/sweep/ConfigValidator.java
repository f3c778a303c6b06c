package org.kdharness.sweep;

import org.kdharness.config.ConfigException;
import org.kdharness.config.DatasetSpec;
import org.kdharness.config.LrSchedule;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.MappingCandidates;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.NetworkSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.config.SweepSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.MethodParameter;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.train.Trainer;

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
        check(d.augment().equals("none") || d.augmented(), "/dataset/augment",
                "must be 'none' or '" + DatasetSpec.STANDARD + "' (random 4-pixel crop and horizontal flip), got '" + d.augment() + "'");
        check(d.normalize().equals("none") || d.normalize().equals(DatasetSpec.PER_CHANNEL), "/dataset/normalize",
                "must be 'none' or '" + DatasetSpec.PER_CHANNEL + "', got '" + d.normalize() + "'");
        if (c.teacher() == null || c.teacher().model() == null) {
            fail("/teacher", "teacher.model", "a teacher is required: a model to train, or an exported one (teacher.onnx)");
        }
        if (c.student() == null || c.student().model() == null) {
            fail("/student", "student.model", "a student model is required");
        }
        network(c.teacher(), "/teacher");
        network(c.student(), "/student");
        axes(c);
        check(c.runtime().threadsPerTrial() >= 1, "/runtime/threads_per_trial", "must be >= 1");
        check(c.runtime().parallelTrials() >= 1, "/runtime/parallel_trials", "must be >= 1");
        check(c.runtime().reportEveryMinutes() >= 0, "/runtime/report_every_minutes", "must be >= 0 (0: the report is written at the end only)");
        List<String> engines = Trainer.Engine.configNames();
        check(engines.contains(c.runtime().engine()), "/runtime/engine", "must be " + String.join(", ", engines.subList(0, engines.size() - 1)
                .stream().map(e -> "'" + e + "'").toList()) + " or '" + engines.get(engines.size() - 1) + "', got '" + c.runtime().engine() + "'");
    }

    private void network(NetworkSpec n, String at) {
        if (n.model().onnx()) {
            return; // imported: read from its file (ImportedTeacherConfig), and not trained here
        }
        model(n.model(), at + "/model");
        TrainingSpec t = n.training();
        check(t.epochs() >= 1, at + "/training/epochs", "must be >= 1");
        check(t.batchSize() >= 1, at + "/training/batch_size", "must be >= 1");
        check(t.learningRate() > 0, at + "/training/learning_rate", "must be > 0");
        check(OPTIMISERS.contains(t.optimiser()), at + "/training/optimiser", "unknown optimiser '" + t.optimiser() + "' (known: " + sorted(OPTIMISERS) + ")");
        check(t.weightDecay() >= 0, at + "/training/weight_decay", "must be >= 0");
        check(t.patience() >= 0, at + "/training/patience", "must be >= 0");
        check(t.batchNorm() == null || t.preciseBatchNorm(), at + "/training/batch_norm",
                "unknown batch_norm '" + t.batchNorm() + "' (known: " + TrainingSpec.PRECISE + ", " + TrainingSpec.RUNNING + ")");
        if (t.momentum() != null) {
            check(t.momentum() >= 0 && t.momentum() < 1, at + "/training/momentum", "must be in [0, 1), got " + t.momentum());
            check(!t.optimiser().equals("adam"), at + "/training/momentum", "applies to sgd and nesterovs; adam has its own moments");
        }
        if (t.schedule() != null) {
            LrSchedule s = t.schedule();
            check(List.of("constant", "step", "cosine").contains(s.type()), at + "/training/schedule/type",
                    "must be constant, step or cosine, got '" + s.type() + "'");
            check(!s.type().equals("step") || s.milestones() != null && !s.milestones().isEmpty(), at + "/training/schedule/milestones",
                    "a step schedule needs milestones (epochs after which the rate is multiplied by gamma)");
            if (s.milestones() != null) {
                for (int i = 0; i < s.milestones().size(); i++) {
                    int m = s.milestones().get(i);
                    check(m >= 1 && m < t.epochs() && (i == 0 || m > s.milestones().get(i - 1)), at + "/training/schedule/milestones",
                            "must be increasing epochs between 1 and epochs - 1 (" + (t.epochs() - 1) + "), got " + s.milestones());
                }
            }
            check(s.effectiveGamma() > 0 && s.effectiveGamma() <= 1, at + "/training/schedule/gamma", "must be in (0, 1], got " + s.effectiveGamma());
            check(s.effectiveWarmup() >= 0 && s.effectiveWarmup() < t.epochs(), at + "/training/schedule/warmup_epochs",
                    "must be >= 0 and fewer than the epochs, got " + s.effectiveWarmup());
        }
    }

    private void model(ModelSpec m, String at) {
        check(m.type().equals("mlp") || m.type().equals("cnn") || m.residual() || m.vgg(), at + "/type",
                "must be mlp, cnn, resnet, wrn or vgg, got '" + m.type() + "'");
        check(m.taps() == null || m.residual() && m.taps().equals("blocks"), at + "/taps", m.residual()
                ? "must be stages (each stage's output) or blocks (every block's output), got '" + m.taps() + "'"
                : "taps: blocks is a resnet or wrn setting (every residual block's output)");
        if (m.vgg()) {
            check(m.depth() != null && ModelSpec.VGG_BLOCKS.containsKey(m.depth()), at + "/depth",
                    "a vgg's depth is 8, 11, 13, 16 or 19, got " + m.depth());
            check(m.width() == null, at + "/width", "a vgg has no width setting");
            check(m.hidden().isEmpty(), at + "/hidden", "a vgg is set by its depth, not hidden layers");
            check(m.conv().isEmpty(), at + "/conv", "a vgg is set by its depth, not conv blocks");
            check(m.activation().equals("relu"), at + "/activation", "a vgg uses relu");
            check(m.dropout() == 0, at + "/dropout", "a vgg has no dropout");
            return;
        }
        if (m.residual()) {
            int extra = m.wrn() ? 4 : 2;
            check(m.depth() != null && m.depth() >= 6 + extra && (m.depth() - extra) % 6 == 0, at + "/depth", m.wrn()
                    ? "a wrn's depth is 6n+4 with n >= 1 (10, 16, 22, 28, 40), got " + m.depth()
                    : "a resnet's depth is 6n+2 with n >= 1 (8, 14, 20, 32, 56, 110), got " + m.depth());
            check(m.width() >= 1, at + "/width", "must be >= 1, got " + m.width());
            check(m.hidden().isEmpty(), at + "/hidden", "a " + m.type() + " is set by depth and width, not hidden layers");
            check(m.conv().isEmpty(), at + "/conv", "a " + m.type() + " is set by depth and width, not conv blocks");
            check(m.activation().equals("relu"), at + "/activation", "a " + m.type() + " uses relu");
            check(m.dropout() == 0, at + "/dropout", "a " + m.type() + " has no dropout");
            return;
        }
        check(m.depth() == null, at + "/depth", "depth is a resnet, wrn or vgg setting");
        check(m.width() == null, at + "/width", "width is a resnet or wrn setting");
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
        search(s.search(), c.student().training().epochs());
        check(!s.search().asha() || c.student().training().patience() == 0, "/sweep/search/strategy",
                "asha judges every seed of a configuration at each rung: student.training.patience must be 0 (a seed stopped"
                        + " early would finish alone while its configuration is judged later)");
        for (int i = 0; i < s.optimiser().size(); i++) {
            check(OPTIMISERS.contains(s.optimiser().get(i)), "/sweep/optimiser/" + i,
                    "unknown optimiser '" + s.optimiser().get(i) + "' (known: " + sorted(OPTIMISERS) + ")");
            // a momentum the axis would silently drop
            check(!s.optimiser().get(i).equals("adam") || c.student().training().momentum() == null, "/sweep/optimiser/" + i,
                    "adam has its own moments, but student.training sets momentum: drop one of them");
        }
        for (ModelSpec student : MappingCandidates.students(c)) {
            for (int i = 0; i < s.mappings().size(); i++) {
                List<LayerMapping> candidates = List.of();
                try {
                    candidates = MappingCandidates.expand(s.mappings().get(i), student, c.teacher().model());
                } catch (IllegalArgumentException e) {
                    fail("/sweep/mappings/" + i, "sweep.mappings[" + i + "]", e.getMessage()
                            + (s.students().isEmpty() ? "" : " (student " + student.shortName() + ")"));
                }
                for (LayerMapping m : candidates) {
                    mapsOnly(methods, s, m, student, c.teacher().model());
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
            LayerMapping mapping = null;
            if (t.mapping() != null) {
                try {
                    mapping = MappingCandidates.resolvePairs(t.mapping(), student, c.teacher().model());
                } catch (IllegalArgumentException e) {
                    fail(at + "/mapping", field(at + "/mapping"), e.getMessage());
                }
            }
            String distance = t.distance() != null ? t.distance()
                    : c.sweep().distance().stream().filter(d -> REGISTRY.accepts(method, d)).findFirst().orElse(null);
            List<LayerMapping> mappings = mapping != null ? List.of(mapping)
                    : MappingCandidates.mappings(c, student).stream().limit(1).toList();
            if (distance != null && REGISTRY.distance(distance).mapsOnly()) {
                for (LayerMapping m : mappings) {
                    mapsOnly(distance, t.distance() != null ? at + "/distance" : at + "/mapping", m, student, c.teacher().model());
                }
            }
        }
    }

    /**
     * A distance that compares conv feature maps as maps (attention transfer) needs a conv
     * block on both sides of every pair it is used with; caught here, so {@code kd plan}
     * rejects what {@code kd run} would only find when building the first trial.
     */
    private void mapsOnly(List<DistillationMethod> methods, SweepSpec s, LayerMapping m, ModelSpec student, ModelSpec teacher) {
        for (int d = 0; d < s.distance().size(); d++) {
            String name = s.distance().get(d);
            if (!REGISTRY.distance(name).mapsOnly() || methods.stream().noneMatch(x -> REGISTRY.accepts(x, name))) {
                continue;
            }
            mapsOnly(name, "/sweep/distance/" + d, m, student, teacher);
        }
    }

    /** Every pair of {@code m} joins conv blocks, when the maps-only distance {@code name} compares them. */
    private void mapsOnly(String name, String pointer, LayerMapping m, ModelSpec student, ModelSpec teacher) {
        for (LayerMapping.Pair p : m.pairs()) {
            boolean maps = p.student() <= student.mapTapCount() && p.teacher().stream().allMatch(t -> t <= teacher.mapTapCount());
            check(maps, pointer, "distance '" + name + "' compares conv feature maps, but mapping " + m.name()
                    + " pairs " + p.name() + " where a side is not a feature map (maps: student " + taps(student.mapTapCount())
                    + ", teacher " + taps(teacher.mapTapCount()) + ")");
        }
    }

    private static String taps(int maps) {
        return maps == 0 ? "none" : maps == 1 ? "tap 1" : "taps 1-" + maps;
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

    private void search(org.kdharness.config.SearchSpec q, int epochs) {
        check(org.kdharness.config.SearchSpec.STRATEGIES.contains(q.strategy()), "/sweep/search/strategy",
                "unknown strategy '" + q.strategy() + "' (known: " + String.join(", ", org.kdharness.config.SearchSpec.STRATEGIES) + ")");
        check(q.minEpochs() >= 1, "/sweep/search/min_epochs", "must be >= 1, got " + q.minEpochs());
        check(q.reductionFactor() > 1, "/sweep/search/reduction_factor", "must be > 1, got " + q.reductionFactor());
        check(org.kdharness.config.SearchSpec.METRICS.contains(q.metric()), "/sweep/search/metric",
                "unknown metric '" + q.metric() + "' (known: " + String.join(", ", org.kdharness.config.SearchSpec.METRICS) + ")");
        check(!q.asha() || !q.rungs(epochs).isEmpty(), "/sweep/search/min_epochs", "min_epochs " + q.minEpochs()
                + " is not below student.training.epochs (" + epochs + "): there is no rung, so ASHA would prune nothing");
    }

    /** The pointers (e.g. {@code /teacher/onnx/file}) of every key the YAML holds. */
    java.util.Set<String> pointers() {
        return java.util.Collections.unmodifiableSet(lines.keySet());
    }

    void check(boolean ok, String pointer, String message) {
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
