package org.kdharness.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of a layer mapping as written in YAML, before layer references are resolved.
 *
 * <p>Why: layers may be named by 1-based index ({@code 2}) or name ({@code h2}), and the
 * teacher side may be one layer or a list (many-to-one); resolution against the actual
 * architectures happens in {@link ConfigValidator}, which can then name the offending
 * mapping and line.
 *
 * @param student   student hidden layer (index from 1, or {@code hN})
 * @param teacher   teacher hidden layer(s): one reference or a list
 * @param weight    this pair's weight {@code w_m} in the feature loss (default 1)
 * @param aggregate how several teacher layers combine: {@code mean} of their projected
 *                  targets (default) or {@code concat}
 */
public record LayerPairSpec(JsonNode student, JsonNode teacher, Double weight, String aggregate) {
}
