package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.kdharness.TinySweep;
import org.kdharness.config.SearchSpec;
import org.kdharness.report.SweepSummary;
import org.kdharness.store.RungLedger;
import org.kdharness.store.TrialRow;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep's store continued with another search, or other rungs, is refused; pruned configurations are never compared. */
class AshaConflictTest {

    static final SearchSpec ASHA = new SearchSpec("asha", 1, 3.0, null);

    private static SweepPlan plan() {
        return SweepPlan.expand(new ConfigLoader().parse(TinySweep.yaml("c", """
                sweep:
                  methods: [response]
                  temperature: [2, 4]
                  seeds: [1, 2]
                """), "c.yaml").config());
    }

    private static RungLedger.Row row(Trial t, int rung, int epoch, boolean promoted) {
        return new RungLedger.Row(t.configKey(), t.id(), new RungLedger.Decision(rung, epoch, 1, 0.5, promoted));
    }

    @Test
    void switchingStrategyOrRungsOnAStoreIsRefusedWithItsReason() {
        SweepPlan plan = plan();
        List<Trial> t = plan.trials();
        assertEquals(4, t.size());
        assertNull(AshaJob.conflict(plan, Map.of(), List.of(), ASHA, 9), "a new sweep");
        Map<String, String> pruned = new HashMap<>(Map.of(t.get(0).id(), "pruned", t.get(1).id(), "pruned"));
        assertTrue(AshaJob.conflict(plan, pruned, List.of(row(t.get(0), 0, 1, false)), SearchSpec.grid(), 9).startsWith("2 trials"),
                "a grid would call pruned trials never trained");
        assertNull(AshaJob.conflict(plan, pruned, List.of(row(t.get(0), 0, 1, false)), ASHA, 9), "ASHA resumes its own store");
        Map<String, String> grid = Map.of(t.get(2).id(), "done", t.get(3).id(), "done");
        assertTrue(AshaJob.conflict(plan, grid, List.of(), ASHA, 9).contains("without ASHA"), "configurations that never met a rung");
        assertTrue(AshaJob.conflict(plan, pruned, List.of(row(t.get(0), 0, 1, false)), new SearchSpec("asha", 2, 3.0, null), 9)
                .contains("rung 0 was decided at epoch 1, but the rungs are now at epochs [2, 6]"));
    }

    @Test
    void aConfigurationWithAPrunedSeedIsNotCompared() {
        TrialRow done = row("a1", 1, "done", 0.9), pruned = row("a2", 2, "pruned", 0.1), other = row("b1", 1, "done", 0.5);
        SweepSummary s = SweepSummary.of(List.of(done, pruned, other));
        assertEquals(1, s.groups().size(), "only the configuration trained whole: " + s.groups());
        assertEquals("b1", s.groups().get(0).first().trialId());
    }

    @Test
    void theReportsPrimarySettingIsOneWithAFinishedConfiguration() {
        // a learning-rate axis without the config's default: ASHA pruned every configuration at the first rate
        TrialRow slow = new TrialRow("c", "s1", 0, "response", 2.0, 0.5, null, null, null, null, 1, "pruned", null, 1, 1.0, null, 1e-4,
                null, null, null, TrialRow.Provenance.NONE, Map.of());
        TrialRow fast = new TrialRow("c", "f1", 1, "response", 2.0, 0.5, null, null, null, null, 1, "done", null, 9, 1.0, null, 1e-3,
                null, null, null, TrialRow.Provenance.NONE, Map.of("val_accuracy", 0.8, "test_accuracy", 0.8));
        SweepSummary s = SweepSummary.of(List.of(slow, fast));
        assertEquals(fast.context(), s.primaryContext());
        assertEquals(1, s.primary().groups().size());
    }

    private static TrialRow row(String id, long seed, String status, double val) {
        double t = id.startsWith("a") ? 2.0 : 4.0;
        return new TrialRow("c", id, 0, "response", t, 0.5, null, null, null, null, seed, status, null, 9, 1.0, null, null, null,
                null, null, TrialRow.Provenance.NONE, status.equals("done") ? Map.of("val_accuracy", val, "test_accuracy", val) : Map.of());
    }
}
