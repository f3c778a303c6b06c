package org.kdharness.bench;

import org.junit.jupiter.api.Test;
import org.kdharness.config.SweepConfig;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.sweep.SweepPlan;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sweep benchmark's config is a valid sweep of the 24 response trials the PyTorch loop runs too. */
class SweepBenchmarkTest {

    @Test
    void theGridIs24ResponseTrials() {
        SweepConfig c = new ConfigLoader().parse(SweepBenchmark.yaml("datasets/fashion-mnist-small", 2), "bench-sweep.yaml").config();
        SweepPlan plan = SweepPlan.expand(c);
        assertEquals(24, plan.trials().size());
        assertEquals(24, plan.trials().stream().filter(t -> t.spec().method().name().equals("response")).count());
        assertEquals(2, c.runtime().parallelTrials());
        assertEquals(0.0, c.runtime().reportEveryMinutes(), "no refresh inside the timed run");
        assertEquals(5, c.teacher().training().epochs());
        assertEquals(5, c.student().training().epochs());
    }
}
