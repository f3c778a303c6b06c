package org.kdharness.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kd suggest-mappings} says how many candidates it ranked and never suggests a k above their number. */
class SuggestMappingsTest {

    @TempDir
    Path dir;

    @Test
    void theSuggestedKNeverExceedsTheCandidates() throws Exception {
        // a two-layer student on a two-layer teacher: one full order-kept mapping, s1<-t1,s2<-t2
        Path config = TinySweep.write(dir, "sm", TinySweep.SMALL_GRID);
        CliRun.Result r = CliRun.run("suggest-mappings", config.toString(), "--reports", dir.resolve("reports").toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("1 candidate mapping (every student layer mapped"), r.out());
        assertTrue(r.out().contains("   1  ") && r.out().contains("s1<-t1,s2<-t2"), r.out());
        assertTrue(r.out().contains("use them in a sweep with: mappings: [{generator: cka-top-k, k: 1}]"), r.out());
    }
}
