package org.kdharness.sweep;

import org.kdharness.distill.TrialSpec;

/**
 * One point of a sweep: its stable id, its place in the plan and its settings.
 *
 * <p>Why the id is a hash: it is derived from the trial's effective config (settings,
 * student, dataset, teacher), so reruns, resumes and several workers agree on which trial
 * is which without coordination.
 *
 * @param id      12 hex digits of SHA-256 over the effective config
 * @param ordinal position in the expanded plan (run order, sharding)
 * @param spec    the trial's settings
 * @param configKey 12 hex digits of SHA-256 over the same config without the seed: shared by the
 *                  seeds of one configuration (ASHA promotes and prunes them together)
 */
public record Trial(String id, int ordinal, TrialSpec spec, String configKey) {
}
