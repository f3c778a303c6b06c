package org.kdharness.config;

/**
 * How the machine's cores are spent.
 *
 * <p>Why: on small networks ND4J is faster at one OpenMP thread per trial with trials run
 * side by side; the best split is a measured setting, not a constant.
 *
 * @param threadsPerTrial OpenMP/BLAS threads each trial may use
 * @param parallelTrials  trials trained at once in one worker process
 */
public record RuntimeSpec(Integer threadsPerTrial, Integer parallelTrials) {
    public RuntimeSpec {
        threadsPerTrial = threadsPerTrial == null ? 1 : threadsPerTrial;
        parallelTrials = parallelTrials == null ? 1 : parallelTrials;
    }

    public static RuntimeSpec defaults() {
        return new RuntimeSpec(null, null);
    }
}
