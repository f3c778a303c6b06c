package org.kdharness.teacher;

import org.kdharness.models.Network;

/**
 * A trained teacher and what the report says about it.
 *
 * @param network      the trained graph (inference only from here on)
 * @param key          cache key: hash of dataset, architecture, training settings and seed
 * @param testAccuracy the teacher's own test accuracy
 * @param trainSeconds time its training took (when it was trained)
 * @param reused       true when loaded from the cache rather than trained now
 */
public record Teacher(Network network, String key, double testAccuracy, double trainSeconds, boolean reused) {
}
