package org.kdharness.teacher;

import org.kdharness.models.Network;

/**
 * A trained teacher and what the report says about it.
 *
 * @param model        the teacher, inference only from here on: trained here, or imported from an ONNX file
 * @param key          cache key: hash of dataset, architecture, training settings and seed (of an imported teacher:
 *                     of dataset, the file's content and the outputs used)
 * @param testAccuracy the teacher's own test accuracy
 * @param trainSeconds time its training took (when it was trained; 0 when imported)
 * @param reused       true when loaded from the cache or imported rather than trained now
 */
public record Teacher(FrozenTeacher model, String key, double testAccuracy, double trainSeconds, boolean reused) {

    /** A teacher this harness trained. */
    public Teacher(Network network, String key, double testAccuracy, double trainSeconds, boolean reused) {
        this(new NetworkTeacher(network), key, testAccuracy, trainSeconds, reused);
    }

    /**
     * The graph of a teacher this harness trained (its weights and running statistics).
     *
     * @throws IllegalStateException for an imported teacher, which has no graph here
     */
    public Network network() {
        if (model instanceof NetworkTeacher n) {
            return n.network();
        }
        throw new IllegalStateException("teacher " + key + " was imported: it has no graph in this harness");
    }
}
