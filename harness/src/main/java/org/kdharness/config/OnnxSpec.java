package org.kdharness.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * A teacher trained elsewhere (PyTorch) and exported to ONNX: the file, the output holding its logits, and the
 * outputs to use as taps, in the order mappings number them (feature maps first, then vectors).
 *
 * <p>Why the content hash: a teacher is what the file holds, not where it lies; the teacher key and so every trial
 * id derive from the hash, so a moved file keeps its trials and a retrained one (same path) gets new ones.
 *
 * @param file   path of the {@code .onnx} file (a relative path as dataset paths: against the working directory, else the
 *               repository {@code ./kd} runs from); absolute once loaded
 * @param logits name of the output holding the logits, {@code [n, classes]}
 * @param taps   names of the outputs used as hint layers ({@code [n, c, h, w]} maps or {@code [n, d]} vectors)
 * @param sha256 the file's SHA-256, filled in when the config is loaded (never written in a config)
 */
public record OnnxSpec(String file, String logits, List<String> taps, @JsonIgnore String sha256) {

    public OnnxSpec {
        logits = logits == null ? "logits" : logits;
        taps = taps == null ? List.of() : List.copyOf(taps);
    }

    /** {@code onnx: PATH}: the file alone, its logits in the output named {@code logits}, no taps (response-based methods). */
    @com.fasterxml.jackson.annotation.JsonCreator(mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DELEGATING)
    public static OnnxSpec ofFile(String file) {
        return new OnnxSpec(file, null, null, null);
    }

    /** The file's SHA-256: as loaded with the config, else read now. */
    public String contentHash() {
        if (sha256 != null) {
            return sha256;
        }
        try {
            return ConfigHash.sha256(java.nio.file.Path.of(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the ONNX teacher " + file + ": " + e.getMessage(), e);
        }
    }

    /** The file's name, as the report names the teacher. */
    public String name() {
        return java.nio.file.Path.of(file).getFileName().toString();
    }
}
