package org.kdharness.engine;

/**
 * Chooses, per layer, between running an op on the whole batch and running it on chunks of rows,
 * by timing each candidate on the layer's first calls (as {@code torch.backends.cudnn.benchmark}
 * times cuDNN's algorithms), then keeping the fastest.
 *
 * <p>Why measure instead of a rule: which shapes oneDNN's algorithm heuristic gets wrong depends on
 * the CPU and the thread count (see {@link Conv2d}); the candidates compute the same sums in other
 * orders, so the choice changes results by float rounding only. Only batches of the size first seen
 * are timed; other sizes (the last, shorter batch; inference) take the choice once made.
 */
final class ChunkChoice {

    /** Rows per chunk of each candidate; 0 = the whole batch. */
    static final int[] ROWS = {0, 16, 8};
    /** Timed calls per candidate before choosing. */
    private static final int ROUNDS = 2;

    private final long[] nanos = new long[ROWS.length];
    private int calls;
    private long timedRows = -1;
    private int chosen = -1;

    /** The candidate for a batch of {@code n} rows. */
    int choose(long n) {
        if (chosen >= 0) {
            return chosen;
        }
        if (timedRows < 0) {
            timedRows = n;
        }
        return n == timedRows ? calls % ROWS.length : 0;
    }

    /** Records the time a call of {@code strategy} on {@code n} rows took. */
    void record(long n, int strategy, long elapsed) {
        if (chosen >= 0 || n != timedRows) {
            return;
        }
        // the first round warms each candidate up (oneDNN creates its kernels), the rest are timed
        if (calls >= ROWS.length) {
            nanos[strategy] += elapsed;
        }
        calls++;
        if (calls == ROWS.length * (ROUNDS + 1)) {
            int best = 0;
            for (int i = 1; i < ROWS.length; i++) {
                if (nanos[i] < nanos[best]) {
                    best = i;
                }
            }
            chosen = best;
        }
    }

    /** The chosen candidate's rows per chunk (0: the whole batch), or -1 while still measuring. */
    int chosenRows() {
        return chosen < 0 ? -1 : ROWS[chosen];
    }
}
