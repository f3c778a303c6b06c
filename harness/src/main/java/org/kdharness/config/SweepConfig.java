package org.kdharness.config;

/**
 * A whole sweep as the researcher wrote it in YAML.
 *
 * <p>Why: one immutable value that everything else reads; its YAML text is stored with
 * the results as provenance.
 *
 * @param name    the sweep's name; reports go to {@code reports/<name>/}
 * @param dataset the data and its splits
 * @param teacher the teacher network (trained once and cached)
 * @param student the student network every trial trains
 * @param sweep   the axes explored
 * @param store   where metrics go
 * @param runtime threads and parallel trials
 */
public record SweepConfig(
        String name,
        DatasetSpec dataset,
        NetworkSpec teacher,
        NetworkSpec student,
        SweepSpec sweep,
        StoreSpec store,
        RuntimeSpec runtime) {

    public SweepConfig {
        dataset = dataset == null ? new DatasetSpec(null, null, null, null, null, null) : dataset;
        sweep = sweep == null ? SweepSpec.defaults() : sweep;
        store = store == null ? new StoreSpec(null) : store;
        runtime = runtime == null ? RuntimeSpec.defaults() : runtime;
    }
}
