package org.kdharness.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.store.MetricsStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Report writers racing on one directory (workers finishing together, two `kd report`) all succeed. */
class ConcurrentReportTest {

    @TempDir
    Path dir;

    @Test
    void concurrentWritersEachPublishAWholePage() throws Exception {
        Path reports = dir.resolve("reports/race");
        List<Future<?>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int w = 0; w < 4; w++) {
                results.add(pool.submit(() -> {
                    try (MetricsStore store = MetricsStore.open("jdbc:h2:file:" + dir.resolve("metrics") + ";AUTO_SERVER=TRUE")) {
                        store.upsertSweep("race", TinySweep.yaml("race", TinySweep.SMALL_GRID));
                        for (int i = 0; i < 10; i++) {
                            new HtmlReport().write(store, "race", reports);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(); // rethrows a writer's failure
            }
        } finally {
            pool.shutdownNow();
        }
        Path page = reports.resolve("index.html");
        assertTrue(Files.readString(page).contains("</html>"));
        try (var files = Files.list(reports)) {
            assertEquals(List.of("index.html"), files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith("."))
                    .toList(), "nothing but the page (and the writers' hidden lock file)");
        }
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(page)),
                "the page is readable by all, as before");
    }
}
