package org.kdharness.config;

/**
 * How the machine's cores are spent.
 *
 * <p>Why: on small networks ND4J is faster at one OpenMP thread per trial with trials run
 * side by side; the best split is a measured setting, not a constant.
 *
 * @param threadsPerTrial OpenMP/BLAS threads each trial may use
 * @param parallelTrials  trials trained at once in one worker process
 * @param engine          {@code auto} (the layer engine wherever it covers the trial, else the
 *                        SameDiff graph), {@code layers} (the same since the dense MLP/CNN path
 *                        went; kept so that configs naming it still load) or {@code graph} (always
 *                        the graph, e.g. to check a result); not part of trial ids
 * @param reportEveryMinutes while a sweep runs, its report is rewritten this often (default
 *                        10; 0 = only at the end), so a long sweep can be looked at midway
 */
public record RuntimeSpec(Integer threadsPerTrial, Integer parallelTrials, String engine, Double reportEveryMinutes) {

    public RuntimeSpec(Integer threadsPerTrial, Integer parallelTrials, String engine) {
        this(threadsPerTrial, parallelTrials, engine, null);
    }

    public RuntimeSpec {
        reportEveryMinutes = reportEveryMinutes == null ? 10.0 : reportEveryMinutes;
        threadsPerTrial = threadsPerTrial == null ? 1 : threadsPerTrial;
        parallelTrials = parallelTrials == null ? 1 : parallelTrials;
        engine = engine == null ? "auto" : engine.toLowerCase(java.util.Locale.ROOT);
    }

    public static RuntimeSpec defaults() {
        return new RuntimeSpec(null, null, null);
    }
}
