package org.kdharness.config;

import java.util.List;

/**
 * The sweep's axes: the grid the researcher wants explored.
 *
 * <p>Why: kept separate from the fixed parts (dataset, networks) so expansion into trials
 * reads only this. Axes a method ignores (T and alpha for {@code baseline}; mappings and
 * loss weights for {@code response}) are dropped for that method during expansion, so no
 * duplicate trials arise.
 *
 * @param methods     {@code baseline}, {@code response}, {@code feature}
 * @param temperature softening temperatures T (&gt; 0)
 * @param alpha       hard-label weights alpha in [0, 1]
 * @param wFeature    weights w1 of the feature loss (Loss1)
 * @param wResponse   weights w2 of the response loss (Loss2)
 * @param distance    feature distances: {@code mse}, {@code cosine}
 * @param mappings    candidate layer mappings, each a list of pairs
 * @param seeds       seeds; each gives the student's initial weights and data order
 */
public record SweepSpec(
        List<String> methods,
        List<Double> temperature,
        List<Double> alpha,
        List<Double> wFeature,
        List<Double> wResponse,
        List<String> distance,
        List<List<LayerPairSpec>> mappings,
        List<Long> seeds) {

    public SweepSpec {
        methods = methods == null ? List.of("baseline", "response", "feature") : List.copyOf(methods);
        temperature = temperature == null ? List.of(4.0) : List.copyOf(temperature);
        alpha = alpha == null ? List.of(0.5) : List.copyOf(alpha);
        wFeature = wFeature == null ? List.of(0.8) : List.copyOf(wFeature);
        wResponse = wResponse == null ? List.of(0.2) : List.copyOf(wResponse);
        distance = distance == null ? List.of("mse") : List.copyOf(distance);
        mappings = mappings == null ? List.of() : List.copyOf(mappings);
        seeds = seeds == null ? List.of(1L) : List.copyOf(seeds);
    }
}
