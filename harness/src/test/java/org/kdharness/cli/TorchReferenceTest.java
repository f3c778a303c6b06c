package org.kdharness.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the PyTorch reference's environment gets for each --torch-core choice. */
class TorchReferenceTest {

    private static Map<String, String> env() {
        return new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell", "OTHER", "x"));
    }

    @Test
    void aNamedCoreIsSetAndNothingIsProbed() {
        List<String> log = new ArrayList<>();
        TorchReference r = TorchReference.choose("/nonexistent/python", 1, "SkylakeX", log::add);
        Map<String, String> e = env();
        r.applyTo(e);
        assertEquals("SkylakeX", e.get("OPENBLAS_CORETYPE"));
        assertEquals("x", e.get("OTHER"));
        assertTrue(log.isEmpty(), "no SGEMM probe for a named core: " + log);
    }

    @Test
    void inheritLeavesTheEnvironmentAndOwnChoiceRemovesTheVariable() {
        Map<String, String> e = env();
        TorchReference.choose("/nonexistent/python", 1, "inherit", s -> { }).applyTo(e);
        assertEquals(env(), e);
        new TorchReference(null, false, "OpenBLAS's own choice").applyTo(e);
        assertFalse(e.containsKey("OPENBLAS_CORETYPE"));
    }

    @Test
    void bestWithoutAWorkingPythonKeepsTheEnvironmentAndSaysWhy() {
        List<String> log = new ArrayList<>();
        TorchReference r = TorchReference.choose("/nonexistent/python", 1, "best", log::add);
        assertTrue(r.inherit(), "nothing measured, nothing changed");
        assertTrue(log.stream().anyMatch(l -> l.contains("failed")), String.join("\n", log));
    }
}
