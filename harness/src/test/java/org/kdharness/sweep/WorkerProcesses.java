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

    /**
     * Runs {@code kd ARGS} in a JVM of its own to its end, as a user runs it from a shell (not in the tests' warm JVM,
     * whose compiled code would flatter what the command times), and returns its exit code and output.
     */
    static org.kdharness.CliRun.Result command(Path dir, String log, String... args) throws Exception {
        String jvm = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(jvm, "-Xmx2g",
                "-Dorg.bytedeco.javacpp.platform.extension=" + System.getProperty("org.bytedeco.javacpp.platform.extension", "-onednn"),
                "-cp", System.getProperty("java.class.path"), "org.kdharness.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        Process p = pb.start();
        if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kd " + String.join(" ", args) + " did not finish");
        }
        return new org.kdharness.CliRun.Result(p.exitValue(), java.nio.file.Files.readString(dir.resolve(log)), "");
    }
}
