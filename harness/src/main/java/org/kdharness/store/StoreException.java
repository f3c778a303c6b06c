package org.kdharness.store;

/**
 * A failure talking to the metrics store, with the statement's context.
 *
 * <p>Why unchecked: store failures end the run with a clear message; nothing below the
 * CLI can recover from them.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
