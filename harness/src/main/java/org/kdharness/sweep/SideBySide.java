package org.kdharness.sweep;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs tasks on threads of their own, side by side, and returns when all have ended.
 *
 * <p>Why threads and not a pool: the seeds of an ASHA configuration wait for each other at every
 * rung, so each must have a thread of its own for as long as it trains (a pool smaller than the
 * configuration would deadlock); the wall-time calibration runs its copies the same way.
 */
final class SideBySide {

    private SideBySide() {
    }

    /** @param name each thread's name, by task index */
    static void run(List<Runnable> tasks, java.util.function.IntFunction<String> name) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Thread th = new Thread(tasks.get(i), name.apply(i));
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while " + th.getName() + " ran", e);
            }
        }
    }
}
