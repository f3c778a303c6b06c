package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.kdharness.TinySweep;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.TestPaths;
import org.kdharness.teacher.TeacherCache;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Literal trial ids and teacher keys of fixed configs. The README promises an id never
 * changes silently: a store's finished trials are matched to the plan by these ids, so a
 * refactoring that changed them would re-run every trial of every resumed sweep. Changing
 * one of these strings is a deliberate, documented format change, never a side effect.
 */
class GoldenIdsTest {

    @Test
    void quickstartIdsAndTeacherKey() {
        SweepConfig c = new ConfigLoader().load(TestPaths.repo().resolve("experiments/quickstart.yaml")).config();
        assertEquals("08c658bd8912bff2", TeacherCache.key(c.dataset(), c.teacher()));
        List<Trial> t = SweepPlan.expand(c).trials();
        assertEquals(List.of("2fac2afb984a", "624e2702c4ff", "a7e6924e6c1d", "baf0d7eef6b0"),
                List.of(t.get(0).id(), t.get(1).id(), t.get(2).id(), t.get(25).id()));
    }

    @Test
    void settingAxesAndRelationIds() {
        String section = """
                sweep:
                  methods: [baseline, response, feature, relation]
                  temperature: [4]
                  alpha: [0.5]
                  distance: [mse, cosine, sp, rkd_distance]
                  mappings:
                    - [{student: 2, teacher: [1, 2], aggregate: concat}]
                  students:
                    - {type: mlp, hidden: [16, 8]}
                  learning_rate: [0.01]
                  labelled_fraction: [0.5]
                  optimiser: [sgd]
                  seeds: [3]
                """;
        SweepConfig c = new ConfigLoader().parse(TinySweep.yaml("golden", section), "golden.yaml").config();
        List<String> ids = SweepPlan.expand(c).trials().stream().map(Trial::id).toList();
        assertEquals(List.of("75135cd3786c", "cb4f52610822", "791a28fbcfd5", "cb43d69eb982", "6d1cae5d5552", "aa9dd35d832a"), ids);
    }

    @Test
    void resnetIdsAndTeacherKey() {
        SweepConfig c = new ConfigLoader().load(TestPaths.repo().resolve("experiments/resnet-fmnist.yaml")).config();
        assertEquals("138cf73e35b2acf7", TeacherCache.key(c.dataset(), c.teacher()));
        List<Trial> t = SweepPlan.expand(c).trials();
        assertEquals(List.of("3c2d7d90e90c", "916dcfc6295f"), List.of(t.get(0).id(), t.get(9).id()));
    }
}
