package org.kdharness.cli;

import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.MappingCandidates;
import org.kdharness.sweep.SweepPlan;
import org.kdharness.sweep.SweepRunner;
import org.kdharness.sweep.Trial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
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

    @Option(names = "--recalibrate", description = "time the kinds of trial again instead of reading what an earlier plan on this"
            + " machine measured (kept under reports/.calibration/)")
    boolean recalibrate;

    @Option(names = "--taps", description = "list the teacher's and the student's taps (what a mapping names) with their shapes")
    boolean taps;

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
        if (taps) {
            printTaps(loaded.config());
        }
        if (!noEstimate) {
            org.kdharness.sweep.WallTimeEstimate.forSweep(loaded.config(), args.workspace(loaded), recalibrate).describe()
                    .forEach(System.out::println);
        }
        return 0;
    }

    /**
     * The taps a mapping can name, by number and name, with each one's shape per example ({@code [c, h, w]} maps,
     * {@code [d]} vectors), from networks of the configured architectures built untrained (an imported teacher's from
     * its file, run on one image).
     */
    private static void printTaps(org.kdharness.config.SweepConfig c) {
        var data = new org.kdharness.data.DatasetLoader().load(c.dataset());
        List<org.kdharness.config.NetworkSpec> specs = List.of(c.teacher(), c.student());
        List<String> who = List.of("teacher", "student");
        for (int i = 0; i < 2; i++) {
            org.kdharness.config.NetworkSpec spec = specs.get(i);
            try (org.kdharness.teacher.FrozenTeacher net = org.kdharness.teacher.TeacherCache.standIn(spec, data.train())) {
                List<long[]> shapes = net.tapShapes();
                List<String> names = spec.model().tapNames();
                System.out.println(who.get(i) + " " + spec.model().shortName() + " taps (number, name, shape per example):");
                for (int t = 0; t < shapes.size(); t++) {
                    System.out.printf("  %2d  %-16s %s%n", t + 1, t < names.size() ? names.get(t) : "", java.util.Arrays.toString(shapes.get(t)));
                }
            }
        }
    }
}
