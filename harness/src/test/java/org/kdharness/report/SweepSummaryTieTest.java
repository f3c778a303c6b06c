package org.kdharness.report;

import org.junit.jupiter.api.Test;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ties on mean validation accuracy are broken by the stated rule, and the report can say which configurations tied. */
class SweepSummaryTieTest {

    /** Two seeds of response KD at {@code temperature}, validation accuracies {@code val}, with {@code projections}. */
    private static List<TrialRow> config(int ordinal, double temperature, double projections, double... val) {
        List<TrialRow> rows = new ArrayList<>();
        for (int s = 0; s < val.length; s++) {
            rows.add(new TrialRow("s", "t" + ordinal + "_" + s, ordinal, "response", temperature, 0.5, null, null, null, null, s + 1,
                    "done", null, 1, 1.0, null, null, null, null, null, TrialRow.Provenance.NONE,
                    Map.of("val_accuracy", val[s], "test_accuracy", 0.5 + ordinal / 100.0, "student_params", 1000.0,
                            "projection_params", projections)));
        }
        return rows;
    }

    @Test
    void aTieGoesToFewerParametersThenTheLowerTemperatureAndIsNamed() {
        List<TrialRow> trials = new ArrayList<>();
        trials.addAll(config(1, 4.0, 0, 0.80, 0.82));   // tied on 0.81, first in the plan
        trials.addAll(config(2, 2.0, 0, 0.82, 0.80));   // tied, lower temperature: chosen
        trials.addAll(config(3, 1.0, 0, 0.79, 0.80));   // lower, not tied
        SweepSummary s = SweepSummary.of(trials);
        ConfigGroup best = s.bestOf("response").orElseThrow();
        assertEquals(2.0, best.first().temperature(), "the lower temperature of two tied configurations");
        assertEquals(List.of(4.0), s.tiedWithBest("response").stream().map(g -> g.first().temperature()).toList());
        assertEquals(best, s.ranked("response").get(0), "the ranking agrees with the choice");
        String tie = (String) ReportSections.headline(s).get(0).get("tie");
        assertTrue(tie.startsWith("tied on validation accuracy with ") && tie.endsWith("chosen by " + SweepSummary.TIE_RULE), tie);

        // fewer trained parameters come before the temperature
        List<TrialRow> withProjection = new ArrayList<>(config(1, 4.0, 0, 0.80, 0.82));
        withProjection.addAll(config(2, 2.0, 500, 0.82, 0.80));
        assertEquals(4.0, SweepSummary.of(withProjection).bestOf("response").orElseThrow().first().temperature());

        // means equal in exact arithmetic but not in floating point (0.1 + 0.2 + 0.3 is not 0.3 + 0.2 + 0.1): still a tie;
        // a configuration without a validation accuracy, first in the plan, is never chosen
        List<TrialRow> rounding = new ArrayList<>(config(1, 8.0, 0, Double.NaN, Double.NaN, Double.NaN));
        rounding.addAll(config(2, 4.0, 0, 0.1, 0.2, 0.3));
        rounding.addAll(config(3, 2.0, 0, 0.3, 0.2, 0.1));
        assertTrue((0.1 + 0.2 + 0.3) != (0.3 + 0.2 + 0.1), "the two sums differ in their last bits");
        SweepSummary r = SweepSummary.of(rounding);
        assertEquals(2.0, r.bestOf("response").orElseThrow().first().temperature(), "tied despite rounding: the lower T");
        assertEquals(List.of(4.0), r.tiedWithBest("response").stream().map(g -> g.first().temperature()).toList());
        assertEquals(8.0, r.ranked("response").get(2).first().temperature(), "no validation accuracy: last");

        // equal in everything the rule reads: the earlier in the plan
        List<TrialRow> same = new ArrayList<>(config(1, 2.0, 0, 0.80, 0.82));
        same.addAll(config(2, 2.0, 0, 0.82, 0.80));
        assertEquals("t1_0", SweepSummary.of(same).bestOf("response").orElseThrow().first().trialId());

        // no tie, nothing said
        List<TrialRow> clear = new ArrayList<>(config(1, 4.0, 0, 0.90, 0.90));
        clear.addAll(config(2, 2.0, 0, 0.82, 0.80));
        assertEquals("", ReportSections.headline(SweepSummary.of(clear)).get(0).get("tie"));
    }
}
