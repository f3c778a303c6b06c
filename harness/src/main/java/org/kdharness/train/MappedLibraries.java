package org.kdharness.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shared libraries mapped into this process, from {@code /proc/self/maps}.
 *
 * <p>Why: which OpenBLAS and which OpenMP runtime ND4J actually loaded (from JavaCPP's cache
 * or the system) is only known by looking; {@code GemmIdentity} and {@link OpenMpThreads}
 * both find their library here and then call it through JNA.
 */
public final class MappedLibraries {

    private MappedLibraries() {
    }

    /** Paths of the mapped shared libraries, each once (Linux), else empty. */
    public static List<String> paths() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith(".so") || p.matches(".*\\.so\\.[.0-9]+")).distinct().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
