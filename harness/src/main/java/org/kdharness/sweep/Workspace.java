package org.kdharness.sweep;

import org.kdharness.config.SweepConfig;

import java.nio.file.Path;

/**
 * Where a sweep's outputs live: report directory, metrics store URL, teacher cache.
 *
 * <p>Why one place: run, status, report and export must agree on the store for a sweep
 * without the user repeating flags. Defaults: {@code reports/<sweep>/} for the report and
 * an H2 file store there ({@code AUTO_SERVER} so {@code status} can read while a run
 * writes), and {@code reports/.teachers/} for cached teachers.
 *
 * @param reports     the sweep's report directory
 * @param jdbcUrl     the metrics store
 * @param teacherRoot the teacher cache directory
 */
public record Workspace(Path reports, String jdbcUrl, Path teacherRoot) {

    /**
     * The default store of a sweep's report directory: an H2 file in automatic mixed mode.
     * {@code AUTO_SERVER}: the first process to open it serves it to the others (workers,
     * {@code status}); {@code AUTO_RECONNECT}: when that process exits, the others reconnect
     * and one of them takes over. Without it a worker still running lost its connection
     * ("Database is already closed") the moment the serving worker finished.
     */
    public static String defaultStore(Path reportDir) {
        return "jdbc:h2:file:" + reportDir.resolve("metrics") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE";
    }

    /**
     * @param reportsRoot the reports root (usually {@code reports})
     * @param jdbcOverride a JDBC URL from the command line, or null
     */
    public static Workspace of(SweepConfig c, Path reportsRoot, String jdbcOverride) {
        Path dir = reportsRoot.resolve(c.name()).toAbsolutePath().normalize();
        String url = jdbcOverride != null ? jdbcOverride
                : c.store().jdbcUrl() != null && !c.store().jdbcUrl().isBlank() ? c.store().jdbcUrl()
                : defaultStore(dir);
        return new Workspace(dir, url, reportsRoot.resolve(".teachers").toAbsolutePath().normalize());
    }
}
