/**
 * The benchmark behind {@code kd bench}: the harness's training rows timed against the identical PyTorch work, the
 * sweep, store and report costs.
 *
 * <p>Why apart from the tests: speed targets live in measurements of interleaved rounds on the machine at hand,
 * never in a timed unit test.
 */
package org.kdharness.bench;
