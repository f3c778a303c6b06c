package org.kdharness.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two workers that finish the same cached teacher at the same moment both record it and its
 * test samples: neither may fail on the other's row (seen in WorkerProcessTest on PostgreSQL
 * once the teacher trained on every core and both workers finished it together).
 */
class TeacherRaceTest {

    @TempDir
    Path dir;

    @Test
    void twoStoresRecordingTheSameTeacherAtOnceBothSucceed() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE";
        try (MetricsStore a = MetricsStore.open(url); MetricsStore b = MetricsStore.open(url)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Object>> done = new ArrayList<>();
                for (MetricsStore s : List.of(a, b)) {
                    done.add(pool.submit((Callable<Object>) () -> {
                        for (int round = 0; round < 200; round++) {
                            s.upsertTeacher("t" + round, "{}", 0.9, 10, 1.0);
                            for (int idx = 0; idx < 4; idx++) {
                                s.putTeacherSample("t" + round, idx, idx, new double[]{idx, -idx});
                            }
                        }
                        return null;
                    }));
                }
                for (Future<Object> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0.9, ((Number) a.teacher("t199").orElseThrow().get("test_accuracy")).doubleValue());
            assertEquals(4, a.teacherSamples("t199").size());
            assertArrayEquals(new double[]{3, 3, -3}, a.teacherSamples("t199").get(3));
        }
    }
}
