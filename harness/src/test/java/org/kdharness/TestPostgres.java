package org.kdharness;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** The PostgreSQL database the store tests run against: {@code KD_TEST_PG_URL}, which {@code .ci/run} sets. */
public final class TestPostgres {

    private TestPostgres() {
    }

    /** The database's JDBC URL, or null where none is configured; in CI one must be ({@code .ci/run} starts PostgreSQL). */
    public static String urlIfAny() {
        String url = System.getenv("KD_TEST_PG_URL");
        if (System.getenv("CI") != null) {
            Assertions.assertTrue(url != null, "KD_TEST_PG_URL must be set in CI (.ci/run starts PostgreSQL)");
        }
        return url;
    }

    /** As {@link #urlIfAny()}, the calling test skipped where none is configured. */
    public static String url() {
        String url = urlIfAny();
        Assumptions.assumeTrue(url != null, "no PostgreSQL (KD_TEST_PG_URL unset): skipped");
        return url;
    }
}
