package org.kdharness.teacher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.config.ConfigException;
import org.kdharness.config.ConfigHash;
import org.kdharness.config.SweepConfig;
import org.kdharness.data.TestPaths;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.sweep.SweepPlan;
import org.kdharness.sweep.Trial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A config's {@code teacher.onnx} is read from its file when the config is loaded: its taps become the teacher's
 * (maps first), mappings name them, the file's content (not its path) keys the teacher and the trials, and every
 * mistake is one line naming the field.
 */
class ImportedTeacherConfigTest {

    @TempDir
    Path dir;

    static String yaml(Path onnx, String taps, String mappings) {
        return """
                name: imported
                dataset:
                  path: %s
                  train_limit: 256
                  test_limit: 256
                  validation_fraction: 0.1
                  split_seed: 42
                teacher:
                  onnx:
                    file: %s
                    logits: logits
                    taps: %s
                student:
                  model: {type: resnet, depth: 8, width: 1}
                  training: {epochs: 1, batch_size: 64, learning_rate: 0.002, optimiser: adam}
                sweep:
                  methods: [baseline, response, feature]
                  temperature: [4]
                  alpha: [0.5]
                  mappings:
                %s
                  seeds: [1]
                """.formatted(TestPaths.repo().resolve("datasets/fashion-mnist-small"), onnx, taps, mappings);
    }

    static final String MAPPINGS = """
                - [{student: stage3, teacher: stage3}]
                - [{student: stage3, teacher: [stage2, stage3]}]
            """;

    private static SweepConfig load(String yaml) {
        return new ConfigLoader().parse(yaml, "imported.yaml").config();
    }

    private static List<String> ids(SweepConfig c) {
        return SweepPlan.expand(c).trials().stream().map(Trial::id).toList();
    }

    @Test
    void theFilesOutputsAreTheTeachersTapsAndItsContentKeysTheTrials() throws Exception {
        Path original = OnnxTeacherTest.DIR.resolve("resnet.onnx");
        SweepConfig c = load(yaml(original, "[stage1, stage2, stage3, pool]", MAPPINGS));
        assertTrue(c.teacher().model().onnx());
        assertEquals(List.of("stage1", "stage2", "stage3", "pool"), c.teacher().model().tapNames());
        assertEquals(3, c.teacher().model().mapTapCount(), "three feature maps, then the pooled vector");
        assertEquals("resnet.onnx", c.teacher().model().shortName());
        assertEquals(ConfigHash.sha256(original), c.teacher().onnx().sha256());
        assertEquals(List.of("s3<-t3", "s3<-t2+t3"), SweepPlan.expand(c).trials().stream().filter(t -> t.spec().mapping() != null)
                .map(t -> t.spec().mapping().name()).toList(), "mappings name the imported taps");

        // the same content elsewhere: the same teacher and trials
        Path moved = Files.copy(original, dir.resolve("moved.onnx"));
        SweepConfig elsewhere = load(yaml(moved, "[stage1, stage2, stage3, pool]", MAPPINGS));
        assertEquals(TeacherCache.key(c.dataset(), c.teacher()), TeacherCache.key(elsewhere.dataset(), elsewhere.teacher()));
        assertEquals(ids(c), ids(elsewhere));

        // other weights at the same path (a retrained teacher): another teacher, other trials
        byte[] bytes = Files.readAllBytes(moved);
        bytes[bytes.length / 2] ^= 0x10; // inside the weights' raw data: still a loadable model
        Files.write(moved, bytes);
        SweepConfig retrained = load(yaml(moved, "[stage1, stage2, stage3, pool]", MAPPINGS));
        assertNotEquals(TeacherCache.key(c.dataset(), c.teacher()), TeacherCache.key(retrained.dataset(), retrained.teacher()));
        assertTrue(ids(c).stream().noneMatch(ids(retrained)::contains), "no trial id is shared");
    }

    @Test
    void mistakesAreNamedWithTheirField() throws Exception {
        Path resnet = OnnxTeacherTest.DIR.resolve("resnet.onnx");
        String taps = "[stage1, stage2, stage3, pool]";
        assertError(yaml(dir.resolve("missing.onnx"), taps, MAPPINGS), "teacher.onnx.file", "no such file");
        Path notOnnx = Files.writeString(dir.resolve("not.onnx"), "not a model");
        assertError(yaml(notOnnx, taps, MAPPINGS), "teacher.onnx.file", "not a loadable ONNX model");
        assertError(yaml(resnet, taps, MAPPINGS).replace("logits: logits", "logits: scores"), "teacher.onnx.logits", "no output 'scores'");
        assertError(yaml(resnet, "[stage1, stage4]", MAPPINGS), "teacher.onnx.taps[1]", "no output 'stage4'");
        assertError(yaml(resnet, "[pool, stage3]", MAPPINGS), "teacher.onnx.taps[1]", "feature maps come before vectors");
        assertError(yaml(resnet, "[stage3, stage3]", MAPPINGS), "teacher.onnx.taps[1]", "named twice");
        assertError(yaml(resnet, "[logits]", MAPPINGS), "teacher.onnx.taps[0]", "is the logits output");
        assertError(yaml(resnet, "[stage3, pool]", MAPPINGS), "sweep.mappings", "stage2");
        assertError(yaml(resnet, taps, MAPPINGS).replace("logits: logits", "logits: logits\n    sha256: abc"), "teacher.onnx.sha256",
                "unknown key 'sha256'");
        assertError(yaml(resnet, taps, MAPPINGS).replace("logits: logits", "logits: stage3"), "teacher.onnx.logits", "is not [n, classes]");
        assertError(yaml(resnet, taps, MAPPINGS).replace("teacher:\n  onnx:", "teacher:\n  model: {type: mlp, hidden: [8]}\n  onnx:"),
                "teacher.model", "an imported teacher has no model");
        assertError(yaml(resnet, taps, MAPPINGS).replace("student:\n  model: {type: resnet, depth: 8, width: 1}",
                "student:\n  onnx: {file: " + resnet + "}"), "student.onnx", "only a teacher can be imported");
    }

    @Test
    void aPathAloneIsAResponseOnlyTeacher() {
        Path resnet = OnnxTeacherTest.DIR.resolve("resnet.onnx");
        SweepConfig c = load(yaml(resnet, "[]", "").replace("  onnx:\n    file: " + resnet + "\n    logits: logits\n    taps: []\n",
                "  onnx: " + resnet + "\n").replace("methods: [baseline, response, feature]", "methods: [baseline, response]")
                .replace("  mappings:\n", ""));
        assertEquals("logits", c.teacher().onnx().logits());
        assertEquals(List.of(), c.teacher().model().tapNames());
        assertEquals(c.teacher().onnx().sha256(), load(yaml(resnet, "[]", "").replace("methods: [baseline, response, feature]",
                "methods: [baseline, response]").replace("  mappings:\n", "")).teacher().onnx().sha256());
    }

    private static void assertError(String yaml, String field, String says) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(yaml), field);
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(says), "expected " + field + ": " + says + ", got: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("imported.yaml:") && !e.getMessage().contains("\n"), "one line with the file: " + e.getMessage());
    }
}
