package org.kdharness.config;

import java.util.ArrayList;
import java.util.List;

/**
 * How a sweep spends its compute on the grid: every configuration trained to the end
 * ({@code grid}, the default), or asynchronous successive halving ({@code asha}, Li et al.,
 * MLSys 2020), which stops configurations that are behind at a rung.
 *
 * <p>Why a configuration (every seed of one setting) is ASHA's unit: the report compares
 * configurations on paired seeds, so a configuration is promoted or pruned whole, on the mean
 * of its seeds' metric at the rung; never one seed of it.
 *
 * @param strategy        {@code grid} or {@code asha}
 * @param minEpochs       r, the first rung's epoch
 * @param reductionFactor η: rungs at {@code r·η^k}; a configuration continues past a rung only
 *                        when it is in the top {@code 1/η} of those that have reached it
 * @param metric          what a rung compares; {@code val_accuracy} (higher is better)
 */
public record SearchSpec(String strategy, Integer minEpochs, Double reductionFactor, String metric) {

    public static final List<String> STRATEGIES = List.of("grid", "asha");
    public static final List<String> METRICS = List.of("val_accuracy");

    public SearchSpec {
        strategy = strategy == null ? "grid" : strategy.toLowerCase(java.util.Locale.ROOT);
        minEpochs = minEpochs == null ? 1 : minEpochs;
        reductionFactor = reductionFactor == null ? 3.0 : reductionFactor;
        metric = metric == null ? "val_accuracy" : metric;
    }

    /** The default: the whole grid, every configuration to the end. */
    public static SearchSpec grid() {
        return new SearchSpec(null, null, null, null);
    }

    public boolean asha() {
        return strategy.equals("asha");
    }

    /**
     * Configurations trained at once by one worker: under ASHA a configuration's seeds train side by
     * side, so {@code ceil(parallelTrials / seeds)} configurations (at least one whole one, so
     * {@code seeds} trials may exceed {@code parallelTrials}); in a grid, {@code parallelTrials} trials.
     */
    public int workers(int parallelTrials, int seeds) {
        return asha() ? Math.max(1, (parallelTrials + seeds - 1) / seeds) : parallelTrials;
    }

    /** Trials training at once in one worker under this search. */
    public int trialsSideBySide(int parallelTrials, int seeds) {
        return asha() ? workers(parallelTrials, seeds) * seeds : parallelTrials;
    }

    /**
     * The epochs at which a configuration of {@code epochs} epochs is judged, rung 0 first:
     * {@code round(r·η^k)} for every k where that is below {@code epochs} (the last epoch ends
     * the trial and judges nothing). Empty for {@code grid}.
     */
    public List<Integer> rungs(int epochs) {
        List<Integer> out = new ArrayList<>();
        if (!asha()) {
            return out;
        }
        for (double r = minEpochs; Math.round(r) < epochs; r *= reductionFactor) {
            int e = (int) Math.round(r);
            if (out.isEmpty() || e > out.get(out.size() - 1)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Whether a configuration arriving at a rung as the {@code arrival}-th (1-based) with
     * {@code rank} among all arrived so far (1 = best) is in their top {@code 1/η}: rank at most
     * {@code ceil(arrival/η)}, so the first to arrive always continues.
     */
    public boolean promotes(int rank, int arrival) {
        return rank <= Math.ceil(arrival / reductionFactor - 1e-9);
    }
}
