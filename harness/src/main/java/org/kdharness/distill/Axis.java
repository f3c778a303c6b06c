package org.kdharness.distill;

/**
 * The standard sweep axes a distillation method may read.
 *
 * <p>Why declared per method: expansion crosses only the axes a method reads, and the
 * values of the others stay {@code null} in its {@link TrialSpec}, so no two trials differ
 * only in a value that changes nothing (and a trial id never depends on one).
 */
public enum Axis {
    /** Softening temperature T. */
    TEMPERATURE,
    /** Hard-label weight alpha of the response loss. */
    ALPHA,
    /** Layer mappings and the distance between mapped layers (one of the method's family). */
    MAPPING,
    /** w1, weight of the layer loss. */
    W_FEATURE,
    /** w2, weight of the response loss beside a layer loss. */
    W_RESPONSE
}
