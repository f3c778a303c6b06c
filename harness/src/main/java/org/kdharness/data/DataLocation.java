package org.kdharness.data;

import org.kdharness.config.ConfigHash;
import org.kdharness.config.DatasetSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a dataset's files and fingerprints their content.
 *
 * <p>Why: a relative {@code dataset.path} should work from the repository root or from
 * wherever {@code ./kd} was called ({@code KD_HOME} is set by the launcher); and the
 * teacher cache key and trial ids must change when the data changes, not when the same
 * data is named by another path. So identity hashes the files' bytes, not their path.
 */
public final class DataLocation {

    static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private DataLocation() {
    }

    /** The directory (or file: an imported teacher) {@code path} names: as given, else relative to {@code KD_HOME}. */
    public static Path resolve(String path) {
        Path p = Path.of(path);
        if (p.isAbsolute() || Files.exists(p)) {
            return p.toAbsolutePath().normalize();
        }
        String home = System.getenv("KD_HOME");
        if (home != null && Files.exists(Path.of(home).resolve(p))) {
            return Path.of(home).resolve(p).toAbsolutePath().normalize();
        }
        return p.toAbsolutePath().normalize();
    }

    /**
     * What to say about a data directory {@code dir} that does not exist: its path, then "did you mean" the closest
     * existing sibling directory (at most two edits away: a typo), else {@code hint} (how to get the data). Advice to
     * install data one letter away from data that exists sends a user the wrong way.
     */
    public static String notFound(Path dir, String hint) {
        Path parent = dir.getParent();
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        String best = null;
        int bestDistance = 3;
        if (parent != null && Files.isDirectory(parent)) {
            try (var siblings = Files.list(parent)) {
                for (Path p : (Iterable<Path>) siblings.filter(Files::isDirectory).sorted()::iterator) {
                    int d = editDistance(name, p.getFileName().toString());
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = p.toString();
                    }
                }
            } catch (IOException e) {
                // no advice then
            }
        }
        return "directory not found: " + dir + (best != null ? "; did you mean " + best + "?" : "; " + hint);
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** SHA-256 over the IDX dataset files' bytes (first 16 hex digits). */
    public static String fingerprint(Path dir) {
        return fingerprint(dir, FILES, DatasetLoader.INSTALL_HINT);
    }

    /** SHA-256 over the named files' bytes (first 16 hex digits); an IDX file may be gzipped. */
    static String fingerprint(Path dir, List<String> files, String hint) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String base : files) {
                // IDX files may be gzipped; CIFAR's .bin files are read as they are
                Path f = !base.endsWith(".bin") && Files.isRegularFile(dir.resolve(base + ".gz")) ? dir.resolve(base + ".gz") : dir.resolve(base);
                if (!Files.isRegularFile(f)) {
                    throw new IllegalArgumentException("dataset.path: " + f + " not found; " + hint);
                }
                md.update(f.getFileName().toString().getBytes());
                try (InputStream in = new DigestInputStream(Files.newInputStream(f), md)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset in " + dir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The dataset's identity for hashing: its content fingerprint and every setting that
     * changes which examples land in which split.
     */
    public static String identity(DatasetSpec d) {
        Map<String, Object> m = new LinkedHashMap<>();
        CifarFormat cifar = CifarFormat.byName(d.name());
        m.put("content", cifar == null ? fingerprint(resolve(d.path())) : fingerprint(resolve(d.path()), cifar.files(),
                DatasetLoader.hint(d)));
        // CIFAR spellings (cifar-10, cifar10) name one format; IDX names stay as written (golden ids)
        m.put("name", cifar == null ? d.name() : cifar.name().toLowerCase(java.util.Locale.ROOT));
        m.put("validation_fraction", d.validationFraction());
        m.put("train_limit", d.trainLimit());
        m.put("test_limit", d.testLimit());
        m.put("split_seed", d.splitSeed());
        if (!d.normalize().equals("none")) {
            // only when set, so that every earlier dataset keeps its identity (and its trial ids)
            m.put("normalize", d.normalize());
        }
        if (d.augmented()) {
            m.put("augment", d.augment());
        }
        return ConfigHash.canonicalJson(m);
    }
}
