package org.kdharness.methods;

import org.kdharness.config.LayerMapping;
import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.MethodParameter;
import org.kdharness.distill.TrialSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The single source of truth for what can be distilled: every method and layer distance
 * is registered here, once. Config validation (names, which axes apply), plan expansion,
 * the objective, the layer engine's step and the report read this and nothing else.
 *
 * <p>Why immutable: a registry is built once; a test that needs an extra term builds its
 * own with {@link #with(DistillationMethod)} instead of changing a shared one. Methods and
 * distances keep their registration order, which is the order reports list them in.
 */
public final class DistillationRegistry {

    private static final DistillationRegistry STANDARD = new DistillationRegistry(Map.of(), Map.of())
            .with(new Baseline())
            .with(new ResponseKd())
            .with(LayerKd.feature())
            .with(LayerKd.relation())
            .with(new MseHint())
            .with(new CosineHint())
            .with(new AttentionTransfer())
            .with(new SimilarityPreserving())
            .with(new RkdDistance())
            .with(new Dkd())
            .with(new RkdAngle())
            .with(new Pkt())
            .with(new LearnedAssociation());

    private final Map<String, DistillationMethod> methods;
    private final Map<String, LayerDistance> distances;

    private DistillationRegistry(Map<String, DistillationMethod> methods, Map<String, LayerDistance> distances) {
        this.methods = methods;
        this.distances = distances;
    }

    /** The registry the harness runs with. */
    public static DistillationRegistry standard() {
        return STANDARD;
    }

    /** A copy with {@code m} added. */
    public DistillationRegistry with(DistillationMethod m) {
        for (MethodParameter p : m.parameters()) {
            if (parameters().containsKey(p.name())) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' of method '" + m.name()
                        + "' is already declared by another method (prefix it with the method's name)");
            }
        }
        if (m.tapLoss() != null && m.family() != null) {
            throw new IllegalArgumentException("method '" + m.name() + "' has both a tap loss and a mapping family");
        }
        Map<String, DistillationMethod> copy = new LinkedHashMap<>(methods);
        if (copy.putIfAbsent(m.name(), m) != null) {
            throw new IllegalArgumentException("method '" + m.name() + "' is registered twice");
        }
        return new DistillationRegistry(java.util.Collections.unmodifiableMap(copy), distances);
    }

    /** A copy with {@code d} added. */
    public DistillationRegistry with(LayerDistance d) {
        Map<String, LayerDistance> copy = new LinkedHashMap<>(distances);
        if (copy.putIfAbsent(d.name(), d) != null) {
            throw new IllegalArgumentException("distance '" + d.name() + "' is registered twice");
        }
        return new DistillationRegistry(methods, java.util.Collections.unmodifiableMap(copy));
    }

    public Optional<DistillationMethod> findMethod(String name) {
        return Optional.ofNullable(methods.get(name));
    }

    /** @throws IllegalArgumentException naming the known methods */
    public DistillationMethod method(String name) {
        return findMethod(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown method '" + name + "' (known: " + String.join(", ", methodNames()) + ")"));
    }

    public Optional<LayerDistance> findDistance(String name) {
        return Optional.ofNullable(distances.get(name));
    }

    /** @throws IllegalArgumentException naming the known distances */
    public LayerDistance distance(String name) {
        return findDistance(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown distance '" + name + "' (known: " + String.join(", ", distanceNames()) + ")"));
    }

    /** Method names in registration order. */
    public List<String> methodNames() {
        return List.copyOf(methods.keySet());
    }

    /** Distance names in registration order. */
    public List<String> distanceNames() {
        return List.copyOf(distances.keySet());
    }

    /** Names of the distances of one family, in registration order. */
    public List<String> distanceNames(LayerDistance.Family family) {
        return distances.values().stream().filter(d -> d.family() == family).map(LayerDistance::name).toList();
    }

    /** Every method parameter of every method, by name. */
    public Map<String, MethodParameter> parameters() {
        Map<String, MethodParameter> out = new LinkedHashMap<>();
        methods.values().forEach(m -> m.parameters().forEach(p -> out.put(p.name(), p)));
        return out;
    }

    /**
     * One example trial per registered method and, for methods with a layer loss, per
     * distance of its family that compares vectors (maps-only distances need conv maps):
     * T = 4, alpha = 0.5, w1/w2 = 0.8/0.2, {@code mapping}, each method parameter at its
     * first default, seed 1. The benchmark times these and the tests check them, so a newly
     * registered method is benchmarked and tested without further code.
     */
    public List<TrialSpec> exampleTrials(LayerMapping mapping) {
        List<TrialSpec> out = new ArrayList<>();
        for (DistillationMethod m : methods.values()) {
            SortedMap<String, Double> params = new TreeMap<>();
            m.parameters().forEach(p -> params.put(p.name(), p.defaults().get(0)));
            TrialSpec.Builder b = TrialSpec.of(m, 1).params(params).temperature(m.reads(Axis.TEMPERATURE) ? 4.0 : null)
                    .alpha(m.reads(Axis.ALPHA) ? 0.5 : null)
                    .weights(m.reads(Axis.W_FEATURE) ? 0.8 : null, m.reads(Axis.W_RESPONSE) ? 0.2 : null);
            if (m.family() == null) {
                out.add(b.build());
                continue;
            }
            for (LayerDistance d : distances.values()) {
                if (d.family() == m.family() && !d.mapsOnly()) {
                    out.add(b.mapping(mapping, d).build());
                }
            }
        }
        return out;
    }

    /** Whether {@code distance} belongs to {@code method}'s family. */
    public boolean accepts(DistillationMethod method, String distance) {
        return method.family() != null && findDistance(distance).map(d -> d.family() == method.family()).orElse(false);
    }
}
