package org.kdharness.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KD_PROGRESS decides bar or plain lines; unset, a terminal on both ends does (the test JVM has none). */
class ProgressModeTest {

    @Test
    void theSettingWinsElseTheConsole() {
        assertTrue(RunCommand.terminal("bar"));
        assertFalse(RunCommand.terminal("plain"));
        assertEquals(System.console() != null, RunCommand.terminal(null));
        assertEquals(System.console() != null, RunCommand.terminal("something else"));
    }
}
