package org.kdharness.store;

/**
 * Provenance of one worker process's run of a sweep.
 *
 * <p>Why: every result must say how it was produced: backend, device, threads, code
 * version and libraries, teacher and data.
 */
public record RunInfo(
        String id,
        String sweep,
        String worker,
        String backend,
        String device,
        int threads,
        int parallelTrials,
        String javaVersion,
        String gitCommit,
        String libraries,
        String teacherKey,
        String dataSource) {
}
