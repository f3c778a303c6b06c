/**
 * A sweep's YAML as immutable records (bound by Jackson, snake_case), their validation's building blocks, layer
 * mappings and their generators, and the canonical hashing that makes trial ids.
 *
 * <p>Why records that import no other package of ours: the config is what ids hash, so it must not change with code
 * elsewhere ({@code harness/docs/config.md} documents every key, {@code ConfigReferenceTest} keeps it exact).
 */
package org.kdharness.config;
