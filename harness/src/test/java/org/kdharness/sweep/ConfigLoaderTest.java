package org.kdharness.sweep;

import org.kdharness.config.ConfigException;
import org.kdharness.config.SweepConfig;
import org.junit.jupiter.api.Test;
import org.kdharness.TinySweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad configs fail before anything runs, naming file, line and field. */
class ConfigLoaderTest {

    private static ConfigException error(String sweepSection) {
        return assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(TinySweep.yaml("bad", sweepSection), "bad.yaml"));
    }

    private static int lineOf(String yaml, String needle) {
        String[] lines = yaml.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle);
    }

    @Test
    void quickstartLoads() {
        SweepConfig c = new ConfigLoader().load(org.kdharness.data.TestPaths.repo().resolve("experiments/quickstart.yaml")).config();
        assertEquals("quickstart", c.name());
        assertEquals(2, c.sweep().mappings().size());
        assertEquals(0.9, c.sweep().alpha().get(1));
    }

    @Test
    void unknownKeyNamesLineAndKnownKeys() {
        String section = "sweep:\n  methods: [baseline]\n  temperatur: [2]\n";
        ConfigException e = error(section);
        assertEquals(lineOf(TinySweep.yaml("bad", section), "temperatur:"), e.line());
        assertTrue(e.getMessage().contains("unknown key 'temperatur'"), e.getMessage());
        assertTrue(e.getMessage().contains("temperature"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void nonPositiveTemperatureNamesFieldAndLine() {
        String section = "sweep:\n  methods: [response]\n  temperature: [2,\n    -1]\n";
        ConfigException e = error(section);
        assertEquals("sweep.temperature[1]", e.field());
        assertEquals(lineOf(TinySweep.yaml("bad", section), "-1]"), e.line());
        assertTrue(e.getMessage().startsWith("bad.yaml:"), e.getMessage());
    }

    @Test
    void alphaOutsideUnitInterval() {
        ConfigException e = error("sweep:\n  methods: [response]\n  alpha: [1.5]\n");
        assertEquals("sweep.alpha[0]", e.field());
    }

    @Test
    void unknownEngineNamesField() {
        ConfigException e = error("sweep:\n  methods: [baseline]\nruntime:\n  engine: fast\n");
        assertTrue(e.getMessage().contains("runtime.engine") || e.getMessage().contains("/runtime/engine"), e.getMessage());
        assertTrue(e.getMessage().contains("'auto' or 'graph'"), e.getMessage());
        SweepConfig graph = new ConfigLoader().parse(TinySweep.yaml("ok", "sweep:\n  methods: [baseline]\nruntime:\n  engine: graph\n"), "ok.yaml").config();
        assertEquals("graph", graph.runtime().engine());
    }

    @Test
    void wrongTypeNamesField() {
        ConfigException e = error("sweep:\n  seeds: [one]\n");
        assertTrue(e.getMessage().contains("seeds"), e.getMessage());
        assertTrue(e.line() > 0);
    }

    @Test
    void impossibleMappingNamesMapping() {
        ConfigException e = error("sweep:\n  methods: [feature]\n  mappings:\n    - [{student: 1, teacher: 1}]\n    - [{student: 3, teacher: 1}]\n");
        assertEquals("sweep.mappings[1]", e.field());
        assertTrue(e.getMessage().contains("student layer 3 is out of range"), e.getMessage());
        ConfigException named = error("sweep:\n  methods: [feature]\n  mappings:\n    - [{student: h1, teacher: [h1, x2]}]\n");
        assertTrue(named.getMessage().contains("unknown teacher layer 'x2'"), named.getMessage());
    }

    @Test
    void featureWithoutMappingIsRejected() {
        ConfigException e = error("sweep:\n  methods: [feature]\n");
        assertEquals("sweep.mappings", e.field());
    }
}
