package org.kdharness.train;

/**
 * Training produced a non-finite loss.
 *
 * <p>Why a type of its own: a diverging trial is a result (it fails with this reason
 * stored), not a crash of the sweep.
 */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
