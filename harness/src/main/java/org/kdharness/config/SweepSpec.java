package org.kdharness.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * The sweep's axes: the grid the researcher wants explored.
 *
 * <p>Why: kept separate from the fixed parts (dataset, networks) so expansion into trials
 * reads only this. Axes a method ignores (T and alpha for {@code baseline}; mappings and
 * loss weights for {@code response}) are dropped for that method during expansion, so no
 * duplicate trials arise.
 *
 * @param methods      registered method names ({@code baseline}, {@code response}, {@code feature}, ...)
 * @param temperature  softening temperatures T (&gt; 0)
 * @param alpha        hard-label weights alpha in [0, 1]
 * @param wFeature     weights w1 of the feature loss (Loss1)
 * @param wResponse    weights w2 of the response loss (Loss2)
 * @param distance     registered distances; each method with a mapping uses those of its family
 * @param mappings     candidate layer mappings: each a list of pairs, or a generator
 *                     {@code {generator: all-one-to-one, max: 10}} (see {@link MappingGenerator})
 * @param seeds        seeds; each gives the student's initial weights and data order
 * @param students     student architectures to compare (empty = {@code student.model} only)
 * @param learningRate student learning rates to compare (empty = {@code student.training})
 * @param random       when &gt; 0, run a seeded random sample of this many configurations
 *                     (grid points without the seed), each at every seed
 * @param randomSeed   seed of that sample
 * @param trials       explicit trials added to the grid, each a set of overrides
 * @param labelledFraction shares of training labels kept (1 = all); the rest is an
 *                     unlabelled transfer pool that only the teacher-driven terms use
 * @param optimiser    student optimisers to compare (empty = {@code student.training})
 * @param params       the methods' own numeric axes by name (e.g. {@code dkd_beta: [4, 8]}); a
 *                     method's parameter not given here sweeps its declared defaults
 * @param search       how the grid's compute is spent: {@code grid} (default) or {@code asha}
 */
public record SweepSpec(
        List<String> methods,
        List<Double> temperature,
        List<Double> alpha,
        List<Double> wFeature,
        List<Double> wResponse,
        List<String> distance,
        List<JsonNode> mappings,
        List<Long> seeds,
        List<ModelSpec> students,
        List<Double> learningRate,
        Integer random,
        Long randomSeed,
        List<TrialOverride> trials,
        List<Double> labelledFraction,
        List<String> optimiser,
        Map<String, List<Double>> params,
        SearchSpec search) {

    public SweepSpec {
        methods = methods == null ? List.of("baseline", "response", "feature") : List.copyOf(methods);
        temperature = temperature == null ? List.of(4.0) : List.copyOf(temperature);
        alpha = alpha == null ? List.of(0.5) : List.copyOf(alpha);
        wFeature = wFeature == null ? List.of(0.8) : List.copyOf(wFeature);
        wResponse = wResponse == null ? List.of(0.2) : List.copyOf(wResponse);
        distance = distance == null ? List.of("mse") : List.copyOf(distance);
        mappings = mappings == null ? List.of() : List.copyOf(mappings);
        seeds = seeds == null ? List.of(1L) : List.copyOf(seeds);
        students = students == null ? List.of() : List.copyOf(students);
        learningRate = learningRate == null ? List.of() : List.copyOf(learningRate);
        random = random == null ? 0 : random;
        randomSeed = randomSeed == null ? 0L : randomSeed;
        trials = trials == null ? List.of() : List.copyOf(trials);
        labelledFraction = labelledFraction == null ? List.of() : List.copyOf(labelledFraction);
        optimiser = optimiser == null ? List.of() : optimiser.stream().map(o -> o == null ? null : o.toLowerCase()).toList();
        params = params == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(params));
        search = search == null ? SearchSpec.grid() : search;
    }

    /** The defaults, for a config without a sweep section. */
    public static SweepSpec defaults() {
        return new SweepSpec(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * One explicit trial: any axis value given here replaces the sweep default; the rest
     * take the first value of the corresponding axis.
     *
     * @param method       required
     * @param temperature  T
     * @param alpha        alpha
     * @param wFeature     w1
     * @param wResponse    w2
     * @param distance     feature distance
     * @param mapping      a list of pairs (feature only)
     * @param seed         seed (default: first of {@code seeds})
     * @param learningRate student learning rate
     * @param student      student architecture
     * @param labelledFraction share of training labels kept
     * @param optimiser    student optimiser
     * @param params       the method's own parameters (others take the first value of their axis)
     */
    public record TrialOverride(String method, Double temperature, Double alpha, Double wFeature, Double wResponse,
                                String distance, JsonNode mapping, Long seed, Double learningRate, ModelSpec student,
                                Double labelledFraction, String optimiser, Map<String, Double> params) {
        public TrialOverride {
            params = params == null ? Map.of() : Map.copyOf(params);
        }
    }
}
