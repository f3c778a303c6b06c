package org.kdharness.cli;

import org.kdharness.config.ConfigException;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.store.Credentials;
import org.kdharness.store.MetricsStore;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The arguments every subcommand shares: the sweep (YAML path, or name once it has run),
 * the reports root and an optional JDBC URL.
 *
 * <p>Why a mixin: one definition of how a sweep and its store are found.
 */
final class SweepArgs {

    @Parameters(index = "0", paramLabel = "CONFIG", description = "sweep YAML path, or the sweep's name once it has run")
    String config;

    @Option(names = "--reports", paramLabel = "DIR", description = "reports root (default: reports/ of the repository, or of the working directory)")
    Path reportsRootOption;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "metrics store JDBC URL (default: H2 file in reports/<sweep>/)")
    String jdbcUrl;

    /** The reports root: the option, else {@code $KD_HOME/reports}, else {@code ./reports}. */
    Path reportsRoot() {
        if (reportsRootOption != null) {
            return reportsRootOption;
        }
        String home = System.getenv("KD_HOME");
        return home != null ? Path.of(home, "reports") : Path.of("reports");
    }

    /** Loads the config from its file, or from the store of a sweep that has run, for a command that reads its data. */
    ConfigLoader.Loaded load() {
        ConfigLoader.Loaded loaded = load(false);
        new ConfigLoader().requireData(loaded);
        return loaded;
    }

    /**
     * As {@link #load()}, for commands that only read the store (status, report, export): a stored sweep whose imported
     * teacher's file is gone still loads ({@link ConfigLoader#parseStored}).
     */
    ConfigLoader.Loaded loadToRead() {
        return load(true);
    }

    private ConfigLoader.Loaded load(boolean toRead) {
        Path reportsRoot = reportsRoot();
        Path p = Path.of(config);
        ConfigLoader loader = new ConfigLoader();
        if (Files.isRegularFile(p) || Files.isDirectory(p)) {
            return loader.load(p); // a directory gets its own error there
        }
        if (config.endsWith(".yaml") || config.endsWith(".yml") || config.contains("/")) {
            throw new ConfigException(config, 0, null, "config file not found");
        }
        Path dir = reportsRoot.resolve(config).toAbsolutePath().normalize();
        String url = jdbcUrl != null ? jdbcUrl : Workspace.defaultStore(dir);
        if (jdbcUrl == null && !Files.exists(dir.resolve("metrics.mv.db"))) {
            throw new ConfigException(config, 0, null, "no such config file, and no sweep of that name in " + reportsRoot);
        }
        try (MetricsStore store = MetricsStore.open(url)) {
            String yaml = store.sweepYaml(config).orElseThrow(() ->
                    new ConfigException(config, 0, null, "the store at " + Credentials.mask(url) + " has no sweep of that name"));
            return toRead ? loader.parseStored(yaml, config + " (from store)") : loader.parse(yaml, config + " (from store)");
        }
    }

    /** The same reports root and store URL for another sweep. */
    SweepArgs with(String otherConfig) {
        SweepArgs a = new SweepArgs();
        a.config = otherConfig;
        a.reportsRootOption = reportsRootOption;
        a.jdbcUrl = jdbcUrl;
        return a;
    }

    Workspace workspace(ConfigLoader.Loaded loaded) {
        return Workspace.of(loaded.config(), reportsRoot(), jdbcUrl);
    }
}
