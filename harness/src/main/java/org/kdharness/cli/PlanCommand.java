package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.MappingCandidates;
import org.kdharness.sweep.SweepPlan;
import org.kdharness.sweep.SweepRunner;
import org.kdharness.sweep.Trial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code kd plan CONFIG}: validates and expands a sweep, and estimates its wall time. Nothing is
 * kept: the estimate's calibration trains throwaway networks for a moment, and the store is only
 * read (an H2 file only when it exists).
 */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Validate a sweep and print its expanded trials.")
final class PlanCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Option(names = "--rows", defaultValue = "20", description = "trials to list (default: ${DEFAULT-VALUE}; 0 = all)")
    int rows;

    @Option(names = "--no-estimate", description = "skip the wall-time estimate (it times a few real training steps)")
    boolean noEstimate;

    @Override
    public Integer call() {
        ConfigLoader.Loaded loaded = args.load();
        // the data files too: plan rejects what run would reject before training
        new org.kdharness.data.DatasetLoader().check(loaded.config().dataset());
        SweepPlan plan = SweepPlan.expand(loaded.config());
        System.out.println(loaded.config().name() + ": " + plan.trials().size() + " trials " + plan.countsByMethod());
        if (MappingCandidates.ckaGenerator(loaded.config()).isPresent()) {
            System.out.println("(cka-top-k mappings are chosen by 'kd run' once the teacher exists: not listed here;"
                    + " preview them with 'kd suggest-mappings')");
        }
        int shown = 0;
        for (Trial t : plan.trials()) {
            if (rows > 0 && shown++ >= rows) {
                System.out.println("... " + (plan.trials().size() - rows) + " more");
                break;
            }
            System.out.printf("%4d  %s  %s%n", t.ordinal(), t.id(), org.kdharness.sweep.TrialLabel.of(t.spec()));
        }
        var search = loaded.config().sweep().search();
        if (search.asha()) {
            System.out.println("search: asha, rungs at epochs " + search.rungs(loaded.config().student().training().epochs())
                    + " of " + loaded.config().student().training().epochs() + ", reduction factor " + search.reductionFactor());
        }
        if (!noEstimate) {
            org.kdharness.sweep.WallTimeEstimate.forSweep(loaded.config(), args.workspace(loaded)).describe().forEach(System.out::println);
        }
        return 0;
    }
}
