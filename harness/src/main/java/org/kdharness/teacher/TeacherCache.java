package org.kdharness.teacher;

import org.kdharness.train.Inference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.kdharness.config.ConfigHash;
import org.kdharness.config.DatasetSpec;
import org.kdharness.config.NetworkSpec;
import org.kdharness.config.OnnxSpec;
import org.kdharness.data.DataLocation;
import org.kdharness.data.DataSplits;
import org.kdharness.data.ImageData;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.kdharness.train.ClassificationMetrics;
import org.kdharness.train.OpenMpThreads;
import org.kdharness.train.Trainer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Trains a teacher once and keeps it on disk, keyed by everything that determines it.
 *
 * <p>Why: the teacher is the most expensive network in a sweep and identical across its
 * trials and across later sweeps on the same data; the key hashes dataset spec,
 * architecture, training settings and seed, so any change retrains and nothing stale is
 * reused. Files are written to a temporary directory and moved into place, so a killed
 * process never leaves a half-written teacher behind.
 */
public final class TeacherCache {

    /** Bumped when the training code changes in a way that changes a teacher. */
    static final int FORMAT = 1;

    private final Path root;
    private final Consumer<String> log;
    private final ObjectMapper json = new ObjectMapper();

    public TeacherCache(Path root, Consumer<String> log) {
        this.root = root;
        this.log = log;
    }

    /**
     * The cache key for a teacher on a dataset. An imported teacher's key covers its file's content, not its path, and
     * the outputs used; its training settings, which it does not have, are left out.
     */
    public static String key(DatasetSpec dataset, NetworkSpec teacher) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("format", FORMAT);
        k.put("dataset", DataLocation.identity(dataset));
        if (teacher.onnx() != null) {
            OnnxSpec o = teacher.onnx();
            Map<String, Object> imported = new LinkedHashMap<>();
            imported.put("sha256", o.contentHash());
            imported.put("logits", o.logits());
            imported.put("taps", o.taps());
            k.put("onnx", imported);
        } else {
            // which of its layers are taps does not change a teacher's weights: taps: blocks reuses the trained teacher
            k.put("teacher", teacher.model() == null || teacher.model().taps() == null ? teacher
                    : new NetworkSpec(teacher.model().withTaps(null), teacher.training()));
        }
        return ConfigHash.sha256(ConfigHash.canonicalJson(k), 16);
    }

    /** Whether {@link #obtain} would load this teacher (or import it) instead of training it (its files are verified only then). */
    public boolean cached(DatasetSpec dataset, NetworkSpec spec) {
        return spec.onnx() != null || Files.isRegularFile(root.resolve(key(dataset, spec)).resolve("teacher.json"));
    }

    /** Loads the cached teacher or trains and stores it; an imported teacher is opened and measured on the test split. */
    public Teacher obtain(DatasetSpec dataset, NetworkSpec spec, DataSplits data) {
        String key = key(dataset, spec);
        if (spec.onnx() != null) {
            ImportedTeacher imported = new ImportedTeacher(spec.onnx(), data.train().features(), data.train().numClasses());
            double testAcc;
            try {
                testAcc = ClassificationMetrics.of(imported.logits(data.test().features()), data.test().labels(), null).accuracy();
            } catch (RuntimeException e) {
                imported.close();
                throw e;
            }
            log.accept(String.format("teacher %s: imported from %s (ONNX Runtime), test accuracy %.4f", key, spec.onnx().file(), testAcc));
            return new Teacher(imported, key, testAcc, 0, true);
        }
        Path dir = root.resolve(key);
        ImageData train = data.train();
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(train.channels(), train.height(), train.width());
        Path meta = dir.resolve("teacher.json");
        if (Files.isRegularFile(meta)) {
            try {
                JsonNode m = json.readTree(meta.toFile());
                // every file is checked against the checksum written with it before any is loaded
                Network cached = network(spec, shape, train.numClasses());
                // the parameters and the state (BatchNorm's running statistics): what inference reads
                List<String> saved = saved(cached);
                verify(dir, m, saved);
                for (String p : saved) {
                    cached.sd().getVariable(p).getArr().assign(Nd4j.readBinary(dir.resolve(p + ".bin").toFile()));
                }
                log.accept("teacher " + key + ": reused from " + dir);
                return new Teacher(cached, key, m.get("test_accuracy").asDouble(), m.get("train_seconds").asDouble(), true);
            } catch (IOException | RuntimeException e) {
                log.accept("teacher " + key + ": cache unusable (" + e.getMessage() + "), retraining from scratch");
                try {
                    deleteTree(dir);
                } catch (IOException ignored) {
                    // the move below then keeps whatever is there; the next run retries
                }
            }
        }
        // a fresh, seeded network: nothing half-loaded from a damaged cache may seed the retraining
        Network net = network(spec, shape, train.numClasses());
        if (Files.exists(dir) && !Files.isRegularFile(meta)) {
            // a folder without its teacher.json (a deletion or copy cut short) would block the publish below
            try {
                deleteTree(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clear the damaged teacher cache " + dir + ": " + e.getMessage(), e);
            }
        }
        log.accept("teacher " + key + ": training " + spec.model().shortName()
                + " for " + spec.training().epochs() + " epochs");
        TrialSpec hardLabels = TrialSpec.of(DistillationRegistry.standard().method("baseline"), spec.training().seed()).build();
        DistillationObjective obj = DistillationObjective.build(net, hardLabels, train.numClasses(), java.util.List.of());
        // the teacher trains alone, before any trial: its matrix products may use every core (this thread only)
        int before = OpenMpThreads.set(Runtime.getRuntime().availableProcessors());
        Trainer.Result r;
        try {
            // with augmentation the teacher trains on each epoch's augmented images too (its labels do not change)
            org.kdharness.train.EpochData augmented = !dataset.augmented() ? null : new org.kdharness.train.EpochData() {
                private final org.nd4j.linalg.api.ndarray.INDArray oneHot = train.oneHot();

                @Override
                public org.nd4j.linalg.api.ndarray.INDArray features(int epoch, int[] rows) {
                    return org.kdharness.data.Augmentation.standard(train.features(), rows, train.channels(), train.height(),
                            train.width(), spec.training().seed(), epoch);
                }

                @Override
                public List<org.nd4j.linalg.api.ndarray.INDArray> inputs(org.nd4j.linalg.api.ndarray.INDArray x, int[] rows) {
                    return List.of(Nd4j.pullRows(oneHot, 1, rows));
                }

                @Override
                public List<org.nd4j.linalg.api.ndarray.INDArray> unaugmented(int[] rows) {
                    return List.of(Nd4j.pullRows(oneHot, 1, rows));
                }
            };
            r = new Trainer().fit(net, spec.training(), spec.training().seed(), train, obj,
                    List.of(train.oneHot()), data.validation(),
                    (epoch, m) -> log.accept(String.format("  teacher epoch %d: loss %.4f val_acc %.4f",
                            epoch, m.get("train_loss"), m.getOrDefault("val_accuracy", Double.NaN))), augmented);
        } finally {
            if (before > 0) {
                OpenMpThreads.set(before);
            }
        }
        if (r.earlyStop() != null) {
            log.accept("teacher " + key + ": " + r.earlyStop());
        }
        double testAcc = ClassificationMetrics.of(Inference.logits(net, data.test().features()), data.test().labels(), null).accuracy();
        log.accept(String.format("teacher %s: test accuracy %.4f (%.1f s)", key, testAcc, r.seconds()));
        save(dir, net, key, spec, testAcc, r.seconds());
        return new Teacher(net, key, testAcc, r.seconds(), false);
    }

    /**
     * A teacher of {@code spec}'s shape without its training, for what needs only its shapes and its speed (the
     * preflight, the wall-time estimate): an untrained network of its architecture, or the imported file itself.
     */
    public static FrozenTeacher standIn(NetworkSpec spec, ImageData train) {
        if (spec.onnx() != null) {
            return new ImportedTeacher(spec.onnx(), train.features(), train.numClasses());
        }
        return new NetworkTeacher(network(spec, new NetworkBuilder.InputShape(train.channels(), train.height(), train.width()),
                train.numClasses()));
    }

    /** The arrays a cached teacher keeps: its parameters, then its running statistics. */
    private static List<String> saved(Network net) {
        List<String> out = new java.util.ArrayList<>(net.params());
        out.addAll(net.state());
        return out;
    }

    private static Network network(NetworkSpec spec, NetworkBuilder.InputShape shape, int classes) {
        return NetworkBuilder.build(SameDiff.create(), "", spec.model(), shape, classes, spec.training().seed());
    }

    /** @throws IOException naming the first parameter file not listed, missing, or whose SHA-256 differs */
    private static void verify(Path dir, JsonNode meta, List<String> params) throws IOException {
        JsonNode sums = meta.get("checksums");
        if (sums == null || !sums.isObject() || sums.isEmpty()) {
            throw new IOException("no checksums (written by an older version)");
        }
        for (String p : params) {
            if (!sums.has(p + ".bin")) {
                throw new IOException(p + ".bin is not listed with a checksum");
            }
        }
        for (java.util.Iterator<Map.Entry<String, JsonNode>> it = sums.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!sha256(dir.resolve(e.getKey())).equals(e.getValue().asText())) {
                throw new IOException(e.getKey() + " does not match its checksum");
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        return ConfigHash.sha256(file);
    }

    private void save(Path dir, Network net, String key, NetworkSpec spec, double testAcc, double seconds) {
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempDirectory(root, key + ".tmp");
            Map<String, String> checksums = new java.util.TreeMap<>();
            for (String p : saved(net)) {
                Path file = tmp.resolve(p + ".bin");
                Nd4j.saveBinary(net.sd().getVariable(p).getArr(), file.toFile());
                checksums.put(file.getFileName().toString(), sha256(file));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("test_accuracy", testAcc);
            m.put("train_seconds", seconds);
            m.put("params", net.paramCount());
            m.put("spec", ConfigHash.canonicalJson(spec));
            m.put("checksums", checksums);
            json.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("teacher.json").toFile(), m);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.isRegularFile(dir.resolve("teacher.json"))) {
                    // another worker stored the same teacher first (same key, same seed): keep theirs
                    deleteTree(tmp);
                } else {
                    // a damaged folder appeared meanwhile: replace it
                    deleteTree(dir);
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write teacher cache " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
