package org.kdharness.sweep;

import org.kdharness.config.ConfigHash;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.NetworkSpec;
import org.kdharness.config.OnnxSpec;
import org.kdharness.config.SweepConfig;
import org.kdharness.teacher.OnnxTeacher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;

/**
 * Reads what a config's imported teacher ({@code teacher.onnx}) is from its file, when the config is loaded: the
 * outputs it names must exist, its taps are feature maps ({@code [n, c, h, w]}) or vectors ({@code [n, d]}), maps
 * first, as mappings number taps; the file's content hash keys the teacher and the trials.
 *
 * <p>Why at load time: mappings onto an imported teacher's taps are validated, generated and named like any
 * other's, from the teacher's {@link ModelSpec}, before anything runs; a wrong output name fails there with its line.
 */
final class ImportedTeacherConfig {

    private ImportedTeacherConfig() {
    }

    /** {@code c} with its imported teacher's model and content hash filled in (unchanged without one). */
    static SweepConfig resolve(SweepConfig c, ConfigValidator v) {
        // derived here, never written: Jackson skips these keys silently, so they are refused by name
        for (String p : v.pointers()) {
            if (p.equals("/teacher/onnx/sha256")
                    || p.matches("(/teacher|/student)/model/imported|/sweep/students/\\d+/imported|/sweep/trials/\\d+/student/imported")) {
                v.check(false, p, "unknown key '" + p.substring(p.lastIndexOf('/') + 1) + "': it is read from the ONNX file, not written");
            }
        }
        NetworkSpec t = c.teacher();
        v.check(c.student() == null || c.student().onnx() == null, "/student/onnx",
                "only a teacher can be imported: a student is trained here (student.model)");
        if (t == null || t.onnx() == null) {
            return c;
        }
        OnnxSpec o = t.onnx();
        v.check(t.model() == null, "/teacher/model", "an imported teacher has no model: its taps are the file's outputs named in teacher.onnx.taps");
        v.check(o.file() != null, "/teacher/onnx/file", "the path of the .onnx file is required");
        Path file = org.kdharness.data.DataLocation.resolve(o.file()); // as dataset paths: as given, else under KD_HOME
        v.check(Files.isRegularFile(file), "/teacher/onnx/file", "no such file: " + file.toAbsolutePath());
        Map<String, long[]> outputs;
        try (OnnxTeacher model = new OnnxTeacher(file)) {
            outputs = model.outputs();
        } catch (IllegalArgumentException e) {
            v.check(false, "/teacher/onnx/file", e.getMessage());
            throw e;
        }
        v.check(outputs.containsKey(o.logits()), "/teacher/onnx/logits", "the model has no output '" + o.logits() + "' (outputs: "
                + outputs.keySet() + ")");
        v.check(outputs.get(o.logits()).length == 1, "/teacher/onnx/logits", "output '" + o.logits() + "' is not [n, classes]: "
                + shape(outputs.get(o.logits())));
        int maps = 0;
        boolean vectors = false;
        var seen = new HashSet<String>();
        for (int i = 0; i < o.taps().size(); i++) {
            String tap = o.taps().get(i), at = "/teacher/onnx/taps/" + i;
            v.check(seen.add(tap), at, "tap '" + tap + "' is named twice");
            v.check(!tap.equals(o.logits()), at, "'" + tap + "' is the logits output: response terms read it, a tap is a hidden layer");
            v.check(outputs.containsKey(tap), at, "the model has no output '" + tap + "' (outputs: " + outputs.keySet() + ")");
            long[] s = outputs.get(tap);
            v.check(s.length == 1 || s.length == 3, at, "output '" + tap + "' is neither a feature map [n, c, h, w] nor a vector [n, d]: "
                    + shape(s));
            if (s.length == 3) {
                v.check(!vectors, at, "feature maps come before vectors in teacher.onnx.taps (as in the harness's own networks: "
                        + "stages, then the pooled features); '" + tap + "' is a map after a vector");
                maps++;
            } else {
                vectors = true;
            }
        }
        String sha;
        try {
            sha = ConfigHash.sha256(file);
        } catch (IOException e) {
            v.check(false, "/teacher/onnx/file", "cannot read: " + e.getMessage());
            throw new IllegalStateException(e);
        }
        OnnxSpec resolved = new OnnxSpec(file.toString(), o.logits(), o.taps(), sha);
        NetworkSpec imported = new NetworkSpec(ModelSpec.imported(o.name(), o.taps(), maps), t.training(), resolved);
        return new SweepConfig(c.name(), c.dataset(), imported, c.student(), c.sweep(), c.store(), c.runtime());
    }

    /** Whether {@code c} imports a teacher from a file that is not there. */
    static boolean fileMissing(SweepConfig c) {
        OnnxSpec o = c.teacher() == null ? null : c.teacher().onnx();
        return o != null && o.file() != null && !Files.isRegularFile(org.kdharness.data.DataLocation.resolve(o.file()));
    }

    /**
     * {@code c}'s imported teacher as its config names it, without its file: for a sweep's stored config read when the
     * file is gone. Its taps are named and numbered as written; whether each is a map is unknown, so all count as maps
     * (the sweep was validated when it ran), and there is no content hash, so nothing may key or run such a teacher.
     */
    static SweepConfig detached(SweepConfig c) {
        NetworkSpec t = c.teacher();
        OnnxSpec o = t.onnx();
        NetworkSpec imported = new NetworkSpec(ModelSpec.imported(o.name(), o.taps(), o.taps().size()), t.training(), o);
        return new SweepConfig(c.name(), c.dataset(), imported, c.student(), c.sweep(), c.store(), c.runtime());
    }

    private static String shape(long[] perExample) {
        StringBuilder sb = new StringBuilder("[n");
        for (long d : perExample) {
            sb.append(", ").append(d < 0 ? "?" : String.valueOf(d));
        }
        return sb.append(']').toString();
    }
}
