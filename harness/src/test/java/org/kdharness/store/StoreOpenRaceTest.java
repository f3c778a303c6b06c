package org.kdharness.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Workers started together on a fresh reports folder all open their store: H2 creating the same
 * missing parent folders at once must not fail one of them ("Error while creating file ...
 * (a file with this name already exists)", seen when two worker processes started together).
 */
class StoreOpenRaceTest {

    @TempDir
    Path dir;

    @Test
    void storesOpenedAtOnceUnderOneMissingFolderAllOpen() throws Exception {
        int n = 6;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int round = 0; round < 15; round++) {
                Path parent = dir.resolve("r" + round).resolve("reports");
                CyclicBarrier start = new CyclicBarrier(n);
                List<Future<Object>> opened = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String url = "jdbc:h2:file:" + parent.resolve("s" + i).resolve("metrics").toAbsolutePath();
                    opened.add(pool.submit(() -> {
                        start.await();
                        MetricsStore.open(url).close();
                        return null;
                    }));
                }
                for (Future<Object> f : opened) {
                    f.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
