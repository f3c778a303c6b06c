package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.kdharness.TinySweep;
import org.kdharness.config.ConfigLoader;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.TestPaths;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Expansion counts, conditional axes and stable ids. */
class SweepPlanTest {

    @Test
    void quickstartExpandsToTwentySixTrials() {
        SweepConfig c = new ConfigLoader().load(TestPaths.repo().resolve("experiments/quickstart.yaml")).config();
        SweepPlan plan = SweepPlan.expand(c);
        // baseline: 2 seeds; response: 2 T x 2 alpha x 2 seeds; feature: x 2 mappings
        assertEquals(Map.of("baseline", 2, "response", 8, "feature", 16), plan.countsByMethod());
        assertEquals(26, new HashSet<>(plan.trials().stream().map(Trial::id).toList()).size());
    }

    @Test
    void ignoredAxesCreateNoDuplicates() {
        String section = """
                sweep:
                  methods: [baseline, response]
                  temperature: [1, 2, 4]
                  alpha: [0.5, 0.9]
                  w_feature: [0.1, 0.8]
                  mappings:
                    - [{student: 1, teacher: 1}]
                    - [{student: 2, teacher: 2}]
                  seeds: [1]
                """;
        SweepPlan plan = SweepPlan.expand(new ConfigLoader().parse(TinySweep.yaml("dedup", section), "x").config());
        assertEquals(Map.of("baseline", 1, "response", 6), plan.countsByMethod());
    }

    @Test
    void idsAreStableAndDependOnEffectiveConfig() {
        SweepConfig a = new ConfigLoader().parse(TinySweep.yaml("ids", TinySweep.SMALL_GRID), "a").config();
        SweepConfig renamed = new ConfigLoader().parse(TinySweep.yaml("ids-renamed", TinySweep.SMALL_GRID), "b").config();
        List<Trial> ta = SweepPlan.expand(a).trials();
        assertEquals(ta, SweepPlan.expand(renamed).trials(), "ids depend on settings, not on the sweep's name");
        SweepConfig widerStudent = new ConfigLoader().parse(TinySweep.yaml("ids", TinySweep.SMALL_GRID)
                .replace("hidden: [16, 8]", "hidden: [16, 9]"), "c").config();
        assertNotEquals(ta.get(0).id(), SweepPlan.expand(widerStudent).trials().get(0).id());
    }
}
