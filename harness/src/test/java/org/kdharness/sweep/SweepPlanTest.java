package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.kdharness.TinySweep;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.TestPaths;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static SweepPlan plan(String section) {
        return SweepPlan.expand(new ConfigLoader().parse(TinySweep.yaml("axes", section), "x").config());
    }

    @Test
    void generatorsExpandPerStudentArchitecture() {
        // teacher has 2 hidden layers; students of depth 2 and 1
        SweepPlan p = plan("""
                sweep:
                  methods: [feature]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - {generator: all-one-to-one}
                    - [{student: 1, teacher: 2}]
                  students:
                    - {type: mlp, hidden: [16, 8]}
                    - {type: mlp, hidden: [12]}
                  seeds: [1]
                """);
        // depth 2: C(2,2)=1 generated + 1 explicit; depth 1: C(2,1)=2 generated (one equals the explicit)
        assertEquals(4, p.trials().size());
        assertEquals(List.of("s1<-t1,s2<-t2", "s1<-t2", "s1<-t1", "s1<-t2"),
                p.trials().stream().map(t -> t.spec().mapping().name()).toList());
    }

    @Test
    void learningRateAxisAndRandomSample() {
        String grid = """
                sweep:
                  methods: [baseline, response]
                  temperature: [1, 2, 4, 8]
                  alpha: [0.5, 0.9]
                  seeds: [1, 2]
                  learning_rate: [0.001, 0.01]
                """;
        SweepPlan full = plan(grid);
        assertEquals(2 * (2 + 16), full.trials().size());
        SweepPlan sample = plan(grid + "  random: 5\n  random_seed: 3\n");
        assertEquals(10, sample.trials().size(), "5 configurations, each at both seeds");
        java.util.Map<org.kdharness.distill.TrialSpec, List<Long>> seeds = new java.util.HashMap<>();
        sample.trials().forEach(t -> seeds.computeIfAbsent(t.spec().configuration(), k -> new java.util.ArrayList<>()).add(t.spec().seed()));
        assertEquals(5, seeds.size());
        seeds.values().forEach(s -> assertEquals(List.of(1L, 2L), s, "every sampled configuration runs every seed"));
        assertEquals(sample.trials().stream().map(Trial::id).toList(),
                plan(grid + "  random: 5\n  random_seed: 3\n").trials().stream().map(Trial::id).toList(), "seeded");
        List<String> fullIds = full.trials().stream().map(Trial::id).toList();
        assertTrue(fullIds.containsAll(sample.trials().stream().map(Trial::id).toList()), "a sample of the grid");
    }

    @Test
    void explicitTrialsAddToTheGridWithoutDuplicates() {
        SweepPlan p = plan("""
                sweep:
                  methods: [baseline]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                    - [{student: 2, teacher: 2}]
                  seeds: [1]
                  trials:
                    - {method: baseline}
                    - {method: response, temperature: 3, alpha: 0.7}
                    - {method: feature, mapping: [{student: 1, teacher: [1, 2]}], seed: 9}
                """);
        assertEquals(3, p.trials().size(), "the explicit baseline equals the grid's");
        assertEquals(3.0, p.trials().get(1).spec().temperature());
        assertEquals("s1<-t1+t2", p.trials().get(2).spec().mapping().name());
        assertEquals(9, p.trials().get(2).spec().seed());
    }

    @Test
    void explicitTrialsOfAMethodWithoutMappingsKeepTheirLossWeights() {
        // association reads w1/w2 but no mapping: an explicit trial must not train with w1 = 0
        SweepPlan p = plan("""
                sweep:
                  methods: [baseline]
                  w_feature: [0.6]
                  w_response: [0.4]
                  seeds: [1]
                  trials:
                    - {method: association, w_feature: 0.9}
                    - {method: association}
                """);
        assertEquals(0.9, p.trials().get(1).spec().effectiveWFeature());
        assertEquals(0.4, p.trials().get(1).spec().effectiveWResponse(), "w2 from the axis");
        assertEquals(0.6, p.trials().get(2).spec().effectiveWFeature(), "w1 from the axis");
        assertEquals(p.trials().get(2).id(), plan("""
                sweep:
                  methods: [association]
                  w_feature: [0.6]
                  w_response: [0.4]
                  seeds: [1]
                """).trials().get(0).id(), "the same trial as the grid's");
    }

    @Test
    void optimiserAxisMultipliesEveryMethod() {
        SweepPlan p = plan("""
                sweep:
                  methods: [baseline, response]
                  temperature: [4]
                  alpha: [0.5]
                  optimiser: [adam, sgd]
                  seeds: [1]
                """);
        assertEquals(4, p.trials().size());
        assertEquals(List.of("adam", "adam", "sgd", "sgd"), p.trials().stream().map(t -> t.spec().optimiser()).toList());
        assertEquals(2, p.trials().stream().map(t -> t.spec().method()).distinct().count());
    }
}
