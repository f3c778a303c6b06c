package org.kdharness;

import org.kdharness.data.TestPaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A sweep small enough for tests: 600 training images, tiny networks, one or two epochs. */
public final class TinySweep {

    private TinySweep() {
    }

    /** YAML of a tiny sweep named {@code name}; {@code extra} replaces the sweep section when given. */
    public static String yaml(String name, String sweepSection) {
        return """
                name: %s
                dataset:
                  path: %s
                  train_limit: 600
                  test_limit: 200
                  validation_fraction: 0.2
                teacher:
                  model: {type: mlp, hidden: [48, 32]}
                  training: {epochs: 2, batch_size: 64, seed: 3}
                student:
                  model: {type: mlp, hidden: [16, 8]}
                  training: {epochs: 1, batch_size: 64}
                %s
                """.formatted(name, TestPaths.repo().resolve("datasets/fashion-mnist-small"), sweepSection);
    }

    public static final String SMALL_GRID = """
            sweep:
              methods: [baseline, response, feature]
              temperature: [2, 4]
              alpha: [0.5]
              mappings:
                - [{student: 2, teacher: 2}]
              seeds: [1, 2]
            """;

    /** Writes the YAML to {@code dir/<name>.yaml}. */
    public static Path write(Path dir, String name, String sweepSection) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml(name, sweepSection));
        return file;
    }
}
