package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.report.HtmlReport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep writing to a file prints plain lines and summaries, and its report is rewritten while it runs. */
class SweepProgressTest {

    @TempDir
    Path dir;

    private String run(String name, boolean terminal, SweepRunner.ReportWriter writer) throws Exception {
        Path config = TinySweep.write(dir, name, """
                sweep:
                  methods: [baseline, response]
                  temperature: [2, 4]
                  alpha: [0.5]
                  seeds: [1, 2]
                runtime:
                  report_every_minutes: 0.00002
                """);
        ConfigLoader.Loaded loaded = new ConfigLoader().load(config);
        Workspace ws = Workspace.of(loaded.config(), dir.resolve("reports"), null);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        SweepRunner.Summary s = new SweepRunner(new PrintStream(buffer, true, StandardCharsets.UTF_8), terminal, writer)
                .run(loaded, ws, SweepRunner.Options.defaults());
        assertEquals(6, s.done());
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aLogFileGetsPlainLinesASummaryAndRefreshedReports() throws Exception {
        AtomicInteger refreshed = new AtomicInteger();
        Path reports = dir.resolve("reports");
        String out = run("plain", false, store -> {
            refreshed.incrementAndGet();
            return new HtmlReport().write(store, "plain", reports.resolve("plain"));
        });
        assertFalse(out.contains("\r") || out.contains("\033"), "no carriage returns or escape codes in a log:\n" + out);
        assertEquals(6, out.lines().filter(l -> l.startsWith("done ")).count(), out);
        // the last trial always prints the summary: all finished, none failed
        assertTrue(out.lines().anyMatch(l -> l.startsWith("progress: 6/6 finished (0 failed now), ")), out);
        assertTrue(refreshed.get() >= 1, "the report is rewritten while the sweep runs (every 1 ms here)");
        assertTrue(out.contains("report refreshed: " + reports.resolve("plain").resolve("index.html")), out);
        assertTrue(Files.readString(reports.resolve("plain").resolve("index.html")).contains("plain"));
    }

    @Test
    void aTerminalGetsTheBarAndNoRefreshWithoutAWriter() throws Exception {
        String out = run("tty", true, null);
        assertTrue(out.contains("\r\033[K"), "lines clear the bar's line on a terminal");
        assertFalse(out.contains("report refreshed"), out);
        assertFalse(out.contains("progress: "), "the bar shows progress on a terminal: " + out);
    }

    @Test
    void durationsReadAsTimes() {
        assertEquals("42s", SweepProgress.duration(42));
        assertEquals("3m 10s", SweepProgress.duration(190));
        assertEquals("1h 02m", SweepProgress.duration(3725));
    }
}
