package org.kdharness.sweep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real {@code kd run} worker processes for the tests that kill them or run several on one store. */
final class WorkerProcesses {

    private WorkerProcesses() {
    }

    /** Starts {@code kd run CONFIG --reports DIR/reports OPTIONS} in a JVM of its own, its output in {@code DIR/log}. */
    static Process start(Path dir, Path config, String log, String... options) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g",
                "-Dorg.bytedeco.javacpp.platform.extension=" + System.getProperty("org.bytedeco.javacpp.platform.extension", "-onednn"),
                "-cp", System.getProperty("java.class.path"), "org.kdharness.cli.Main",
                "run", config.toString(), "--reports", dir.resolve("reports").toString()));
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        return pb.start();
    }
}
