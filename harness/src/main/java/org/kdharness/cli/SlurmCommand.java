package org.kdharness.cli;

import org.kdharness.store.Credentials;
import org.kdharness.sweep.ConfigLoader;
import org.kdharness.sweep.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code kd slurm CONFIG --tasks N [--submit]}: an sbatch job array whose tasks claim trials
 * from the sweep's store, and a report job that runs once the array has ended.
 *
 * <p>Why generated: the array's command line, the shared store, plain log output and the
 * report's dependency on the array must agree with each other and with the config; written
 * by hand they drift. A password in the store URL is never written into the scripts: they
 * read it from {@code KD_DB_PASSWORD} at run time.
 */
@Command(name = "slurm", mixinStandardHelpOptions = true,
        description = "Write (and with --submit, submit) a Slurm job array that runs the sweep, plus a report job after it.")
final class SlurmCommand implements Callable<Integer> {

    @Mixin
    SweepArgs args;

    @Option(names = "--tasks", required = true, description = "array tasks (workers), each claiming trials from the shared store")
    int tasks;

    @Option(names = "--cpus", defaultValue = "2", description = "CPUs per task (default: ${DEFAULT-VALUE})")
    int cpus;

    @Option(names = "--time", defaultValue = "12:00:00", description = "time limit per task (default: ${DEFAULT-VALUE})")
    String time;

    @Option(names = "--submit", description = "submit both jobs with sbatch, the report job depending on the array (afterany)")
    boolean submit;

    @Option(names = "--sbatch", defaultValue = "sbatch", description = "the sbatch command (default: ${DEFAULT-VALUE})")
    String sbatch;

    @Option(names = "--launcher", defaultValue = "./kd",
            description = "how the tasks start the harness, run from the repository (default: ${DEFAULT-VALUE})")
    String launcher;

    @Override
    public Integer call() throws Exception {
        if (tasks < 1 || cpus < 1) {
            throw new IllegalArgumentException("--tasks and --cpus must be >= 1");
        }
        ConfigLoader.Loaded loaded = args.load();
        if (!Files.isRegularFile(loaded.file())) {
            throw new IllegalArgumentException("kd slurm needs the sweep's YAML file (the tasks run it), not a stored sweep's name");
        }
        Workspace ws = args.workspace(loaded);
        String url = ws.jdbcUrl();
        if (url.startsWith("jdbc:h2:file:") && tasks > 1) {
            System.out.println("note: the store is an H2 file; it serves every task only when they all run on this node"
                    + " (use --jdbc-url jdbc:postgresql://... across nodes)");
        }
        // the scripts never hold the password: they take it from the environment when they run; the rest of the
        // URL is single-quoted, so nothing in it ($, backticks) is expanded by the shell
        String scripted = Credentials.hasPassword(url) ? String.join("\"${KD_DB_PASSWORD:?set KD_DB_PASSWORD to the store password}\"",
                java.util.Arrays.stream(Credentials.replacePassword(url, "\u0000").split("\u0000", -1)).map(SlurmCommand::sh).toList())
                : sh(url);
        Path dir = Files.createDirectories(ws.reports().resolve("slurm"));
        Path array = dir.resolve("array.sbatch"), report = dir.resolve("report.sbatch");
        String common = "cd " + sh(home().toString()) + "\nexport KD_PROGRESS=plain\n";
        String kd = launcher + " %s " + sh(loaded.file().toAbsolutePath().toString()) + " --reports " + sh(args.reportsRoot().toAbsolutePath().toString())
                + " --jdbc-url " + scripted;
        write(array, """
                #!/bin/bash
                #SBATCH --job-name=kd-%s
                #SBATCH --array=0-%d
                #SBATCH --cpus-per-task=%d
                #SBATCH --time=%s
                #SBATCH --output="%s"
                # every task claims pending trials from the same store; no trial runs twice
                %s%s --no-report
                """.formatted(loaded.config().name(), tasks - 1, cpus, time, output(dir, "task-%a.log"), common,
                kd.formatted("run")));
        write(report, """
                #!/bin/bash
                #SBATCH --job-name=kd-%s-report
                #SBATCH --cpus-per-task=1
                #SBATCH --time=00:30:00
                #SBATCH --output="%s"
                # after the array (whatever its tasks' exit codes): the report of everything stored
                %s%s
                """.formatted(loaded.config().name(), output(dir, "report.log"), common, kd.formatted("report")));
        System.out.println("wrote " + array + " (" + tasks + " tasks) and " + report);
        if (Credentials.hasPassword(url)) {
            System.out.println("the scripts read the store password from KD_DB_PASSWORD (--submit passes it to sbatch's environment;"
                    + " export it when submitting by hand)");
        }
        if (!submit) {
            System.out.println("submit: id=$(" + sbatch + " --parsable " + array + ") && " + sbatch + " --dependency=afterany:$id " + report);
            return 0;
        }
        String password = Credentials.password(url);
        String id = jobId(run(List.of(sbatch, "--parsable", array.toString()), password), "the array");
        String reportId;
        try {
            reportId = jobId(run(List.of(sbatch, "--parsable", "--dependency=afterany:" + id, report.toString()), password), "the report job");
        } catch (RuntimeException e) {
            throw new IllegalStateException("array job " + id + " is submitted, but the report job was not: " + e.getMessage()
                    + " (scancel " + id + " to withdraw the array, or submit " + report + " yourself)", e);
        }
        System.out.println("submitted array job " + id + " and report job " + reportId + " (after the array)");
        return 0;
    }

    /** A path for an {@code #SBATCH --output} line: Slurm reads % as a pattern, so the directory's are doubled. */
    private static String output(Path dir, String file) {
        return dir.toString().replace("%", "%%") + "/" + file;
    }

    /** The job id in {@code sbatch --parsable}'s last line ({@code id} or {@code id;cluster}). */
    private static String jobId(String out, String what) {
        String last = out.lines().reduce((a, b) -> b).orElse("").trim();
        if (!last.matches("\\d+(;.*)?")) {
            throw new IllegalStateException("sbatch gave no job id for " + what + ": " + Credentials.mask(out));
        }
        return last.split(";")[0];
    }

    private static Path home() {
        return Path.of(System.getenv().getOrDefault("KD_HOME", ".")).toAbsolutePath().normalize();
    }

    /** Single-quoted for the shell. */
    private static String sh(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
        file.toFile().setExecutable(true);
    }

    /** Runs sbatch, returning its output; a failure names the command and what it printed. */
    private static String run(List<String> command, String password) throws IOException, InterruptedException {
        // stdout alone: clusters print notices on stderr, which are no part of the job id
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (password != null) {
            // to the jobs through sbatch's exported environment: no script, argument or line of ours holds it
            // (slurmctld keeps a job's environment in its state directory, as it does for every job)
            pb.environment().put("KD_DB_PASSWORD", password);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + Credentials.mask(out));
        }
        return out;
    }
}
