package org.kdharness.train;

/**
 * Training stopped because its caller asked it to ({@link Trainer.EpochCallback#stopRequested}): a user's Ctrl-C, or
 * a scheduler's pre-emption signal.
 *
 * <p>Why a type of its own: a stopped trial is neither a result nor a failure; the sweep returns it to pending, so that
 * the next run trains it from the start.
 */
public final class TrainingStopped extends RuntimeException {

    public TrainingStopped(int epoch) {
        super("stopped on request in epoch " + epoch);
    }
}
