package org.kdharness.cli;

import org.junit.jupiter.api.Test;
import org.kdharness.store.LiveTrials;
import org.kdharness.store.TrialRow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code kd status} says of running trials, and its time left, computed by hand for a small sweep. */
class SweepStatusTest {

    private static final Instant NOW = Instant.parse("2026-12-07T23:50:00Z");

    private static TrialRow row(String id, int ordinal, String method, String mapping, String status) {
        return new TrialRow("s", id, ordinal, method, method.equals("baseline") ? null : 4.0, method.equals("baseline") ? null : 0.5,
                null, null, mapping, mapping == null ? null : "mse", 1, status, null, null, null, null, null, null, null, null,
                TrialRow.Provenance.NONE, Map.of());
    }

    private static LiveTrials.Running running(String id, long claimedSecondsAgo, int epochs, double secondsPerEpoch, boolean gone) {
        Instant claimed = NOW.minusSeconds(claimedSecondsAgo);
        return new LiveTrials.Running(id, "host:42", claimed, claimed.plusSeconds(1), gone, epochs,
                epochs == 0 ? Map.of() : Map.of("train_loss", 0.25, "val_accuracy", 0.875), secondsPerEpoch);
    }

    private static final List<TrialRow> ROWS = List.of(
            row("d1", 0, "response", null, "done"), row("d2", 1, "response", null, "done"), row("d3", 2, "feature", "s2<-t2", "done"),
            row("r1", 3, "feature", "s2<-t2", "running"), row("r2", 4, "response", null, "running"),
            row("p1", 5, "response", null, "pending"), row("p2", 6, "feature", "s2<-t2", "pending"), row("p3", 7, "baseline", null, "pending"));

    /** Wall seconds of the done trials: response 10 and 12 (mean 11), feature 30; all three 52/3. */
    private static final Map<String, Double> WALL = Map.of("d1", 10.0, "d2", 12.0, "d3", 30.0);

    @Test
    void timeLeftDealsPendingTrialsToTheSlotThatFreesFirstAtTheirMethodsCost() {
        // r1 (feature, 30 s) claimed 10 s ago: 20 s left; r2 (response, 11 s) claimed 4 s ago: 7 s left.
        // p1 (response, 11) joins r2's slot at 7 -> 18; p2 (feature, 30) at 18 -> 48; p3 (baseline: no done baseline, the
        // mean of all, 17.33) at r1's 20 -> 37.33. The last slot empties at 48 s.
        SweepStatus s = new SweepStatus("s", ROWS, List.of(running("r1", 10, 2, 5.0, false), running("r2", 4, 0, Double.NaN, false)),
                WALL, 5, 2, NOW, 1800);
        assertEquals("ETA ~48 s (3 to start, 19.4 s/trial on average; 2 running; 2 side by side)", s.timeLeft());
        List<String> lines = s.lines();
        assertEquals("s: 3/8 done {done=3, pending=3, running=2}", lines.get(0));
        assertEquals("running:", lines.get(1));
        assertEquals("  r1 feature T=4, α=0.5, s2<-t2 mse seed=1 | epoch 2/5, train_loss 0.2500, val 0.8750, 5.0 s/epoch | host:42", lines.get(2));
        assertEquals("  r2 response T=4, α=0.5 seed=1 | epoch 0/5 | host:42", lines.get(3));
    }

    @Test
    void aTrialWhoseWorkerIsGoneIsStaleAndCountsAsToStart() {
        // r1's worker is gone: it will run again from the start (30 s), with p1, p2, p3, on the one slot of the live r2
        // (7 s left): 7 -> r1 37 -> p1 48 -> p2 78 -> p3 95.33
        SweepStatus s = new SweepStatus("s", ROWS, List.of(running("r1", 600, 2, 5.0, true), running("r2", 4, 0, Double.NaN, false)),
                WALL, 5, 2, NOW, 1800);
        assertEquals("ETA ~1m 35s (4 to start, 22.1 s/trial on average; 1 running; 1 side by side)", s.timeLeft());
        String stale = s.lines().get(2);
        assertTrue(stale.startsWith("  r1 feature T=4, α=0.5, s2<-t2 mse seed=1 | stale: worker host:42 is gone, last heartbeat "), stale);
        assertTrue(stale.endsWith(" (9m 59s ago); the next kd run returns it to pending"), stale);
        // silent for longer than --stale-after on another host: stale too
        SweepStatus silent = new SweepStatus("s", ROWS, List.of(running("r1", 600, 2, 5.0, false)), WALL, 5, 2, NOW, 300);
        assertTrue(silent.lines().get(2).contains("| stale: worker host:42 silent, last heartbeat"), silent.lines().get(2));
        // no live worker: the work left on parallel_trials slots
        SweepStatus none = new SweepStatus("s", ROWS, List.of(running("r1", 600, 2, 5.0, true), running("r2", 600, 0, Double.NaN, true)),
                WALL, 5, 2, NOW, 1800);
        assertTrue(none.timeLeft().startsWith("no live worker: ~"), none.timeLeft());
    }

    @Test
    void nothingLeftAndNothingKnownGiveNoTimeLeft() {
        List<TrialRow> finished = List.of(row("d1", 0, "response", null, "done"));
        assertEquals(null, new SweepStatus("s", finished, List.of(), Map.of("d1", 3.0), 5, 2, NOW, 1800).timeLeft());
        List<TrialRow> fresh = List.of(row("p1", 0, "response", null, "pending"));
        assertEquals(null, new SweepStatus("s", fresh, List.of(), Map.of(), 5, 2, NOW, 1800).timeLeft());
    }
}
