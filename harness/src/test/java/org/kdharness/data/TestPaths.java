package org.kdharness.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root from the test's working directory (harness/ under Maven). */
public final class TestPaths {

    private TestPaths() {
    }

    public static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("datasets/fashion-mnist-small"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("repository root with datasets/ not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
