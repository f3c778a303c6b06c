package org.kdharness;

import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.LayerDistance;
import org.kdharness.methods.DistillationRegistry;

/** Registered methods and distances by name, for tests. */
public final class Methods {

    private Methods() {
    }

    public static DistillationMethod method(String name) {
        return DistillationRegistry.standard().method(name);
    }

    public static LayerDistance distance(String name) {
        return DistillationRegistry.standard().distance(name);
    }
}
