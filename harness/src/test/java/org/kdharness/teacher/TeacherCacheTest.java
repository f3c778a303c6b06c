package org.kdharness.teacher;

import org.kdharness.train.Inference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.config.NetworkSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The teacher is trained once per key: a second request reuses it, a changed config retrains. */
class TeacherCacheTest {

    @TempDir
    Path dir;

    @Test
    void secondRunReusesChangedConfigRetrains() {
        SweepConfig c = new ConfigLoader().parse(TinySweep.yaml("cache", TinySweep.SMALL_GRID), "tiny").config();
        DataSplits data = new DatasetLoader().load(c.dataset());
        List<String> log = new ArrayList<>();
        TeacherCache cache = new TeacherCache(dir, log::add);

        Teacher first = cache.obtain(c.dataset(), c.teacher(), data);
        assertFalse(first.reused());
        assertTrue(first.testAccuracy() > 0.3, "a trained teacher beats chance: " + first.testAccuracy());
        INDArray logits = Inference.logits(first.network(), data.test().features());

        Teacher second = cache.obtain(c.dataset(), c.teacher(), data);
        assertTrue(second.reused());
        assertEquals(first.key(), second.key());
        assertEquals(first.testAccuracy(), second.testAccuracy());
        assertEquals(logits, Inference.logits(second.network(), data.test().features()), "reloaded weights differ");

        TrainingSpec t = c.teacher().training();
        NetworkSpec changed = new NetworkSpec(c.teacher().model(),
                new TrainingSpec(t.epochs() + 1, t.batchSize(), t.learningRate(), t.optimiser(), t.weightDecay(), t.seed(), t.patience()));
        Teacher third = cache.obtain(c.dataset(), changed, data);
        assertFalse(third.reused());
        assertNotEquals(first.key(), third.key());
        assertEquals(2, log.stream().filter(l -> l.contains(": training ")).count(), String.join("\n", log));
    }

    @Test
    void damagedCacheRetrainsExactlyTheFreshTeacher() throws Exception {
        SweepConfig c = new ConfigLoader().parse(TinySweep.yaml("damaged", TinySweep.SMALL_GRID), "tiny").config();
        DataSplits data = new DatasetLoader().load(c.dataset());
        Teacher fresh = new TeacherCache(dir.resolve("fresh"), s -> { }).obtain(c.dataset(), c.teacher(), data);
        INDArray expected = Inference.logits(fresh.network(), data.test().features());

        TeacherCache cache = new TeacherCache(dir.resolve("cut"), s -> { });
        Teacher first = cache.obtain(c.dataset(), c.teacher(), data);
        Path cached = dir.resolve("cut").resolve(first.key());
        List<Path> bins = java.nio.file.Files.list(cached).filter(f -> f.toString().endsWith(".bin")).sorted().toList();
        // cut the last weight file in half: the others still load, which once seeded the retraining
        Path cut = bins.get(bins.size() - 1);
        byte[] bytes = java.nio.file.Files.readAllBytes(cut);
        java.nio.file.Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        List<String> log = new ArrayList<>();
        Teacher retrained = new TeacherCache(dir.resolve("cut"), log::add).obtain(c.dataset(), c.teacher(), data);
        assertFalse(retrained.reused(), String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.contains("does not match its checksum")), String.join("\n", log));
        assertEquals(expected, Inference.logits(retrained.network(), data.test().features()),
                "the retrained teacher is the one a fresh cache trains, bit for bit");
        assertEquals(fresh.testAccuracy(), retrained.testAccuracy());

        // and the rewritten cache verifies and loads again
        Teacher again = new TeacherCache(dir.resolve("cut"), s -> { }).obtain(c.dataset(), c.teacher(), data);
        assertTrue(again.reused());
        assertEquals(expected, Inference.logits(again.network(), data.test().features()));
    }

    @Test
    void aFolderWithoutItsMetadataDoesNotBlockTraining() throws Exception {
        SweepConfig c = new ConfigLoader().parse(TinySweep.yaml("nometa", TinySweep.SMALL_GRID), "tiny").config();
        DataSplits data = new DatasetLoader().load(c.dataset());
        String key = TeacherCache.key(c.dataset(), c.teacher());
        // a deletion cut short: the folder and one weight file remain, teacher.json is gone
        java.nio.file.Files.createDirectories(dir.resolve(key));
        java.nio.file.Files.writeString(dir.resolve(key).resolve("w0.bin"), "left over");
        Teacher t = new TeacherCache(dir, s -> { }).obtain(c.dataset(), c.teacher(), data);
        assertFalse(t.reused());
        assertTrue(new TeacherCache(dir, s -> { }).obtain(c.dataset(), c.teacher(), data).reused(), "published and reusable");
    }

    @Test
    void aCnnTeacherIsNamedWithItsConvBlocks() {
        SweepConfig c = new ConfigLoader().parse(TinySweep.yaml("cnnname", TinySweep.SMALL_GRID)
                .replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: cnn, conv: [{filters: 2}], hidden: [8]}")
                .replace("training: {epochs: 2, batch_size: 64, seed: 3}", "training: {epochs: 1, batch_size: 64, seed: 3}"), "tiny").config();
        List<String> log = new ArrayList<>();
        new TeacherCache(dir, log::add).obtain(c.dataset(), c.teacher(), new DatasetLoader().load(c.dataset()));
        assertTrue(log.stream().anyMatch(l -> l.contains(": training cnn[conv2][8] for 1 epochs")), String.join("\n", log));
    }

    @Test
    void aResNetTeacherKeepsItsRunningStatistics() {
        SweepConfig c = new ConfigLoader().parse(TinySweep.yaml("rescache", TinySweep.SMALL_GRID)
                .replace("model: {type: mlp, hidden: [48, 32]}", "model: {type: resnet, depth: 8, width: 1}")
                .replace("train_limit: 600", "train_limit: 200"), "tiny").config();
        DataSplits data = new DatasetLoader().load(c.dataset());
        TeacherCache cache = new TeacherCache(dir, s -> { });
        Teacher first = cache.obtain(c.dataset(), c.teacher(), data);
        org.kdharness.models.Network.BatchNorm bn = first.network().batchNorms().get(3);
        INDArray running = first.network().sd().getVariable(bn.runningVar()).getArr().dup();
        assertTrue(running.sub(1.0).amaxNumber().doubleValue() > 1e-3, "training measured the running statistics");
        INDArray logits = Inference.logits(first.network(), data.test().features());

        Teacher second = cache.obtain(c.dataset(), c.teacher(), data);
        assertTrue(second.reused());
        assertEquals(running, second.network().sd().getVariable(bn.runningVar()).getArr(), "the running statistics were cached");
        assertEquals(logits, Inference.logits(second.network(), data.test().features()), "the reloaded teacher infers identically");
    }
}
