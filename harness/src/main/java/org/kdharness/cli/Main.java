package org.kdharness.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code ./kd}: {@code run|plan|status|report|export|suggest-mappings CONFIG}.
 *
 * <p>Why picocli: subcommands, {@code --help} for each, typed options and clear usage
 * errors with no hand-written parsing.
 */
@Command(name = "kd", mixinStandardHelpOptions = true, version = "kd-harness 0.1.0",
        description = "Knowledge-distillation sweeps: run, inspect, report, export.",
        subcommands = {RunCommand.class, PlanCommand.class, StatusCommand.class, ReportCommand.class,
                ExportCommand.class, SuggestMappingsCommand.class, BenchCommand.class, SlurmCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int execute(String... args) {
        // the cuda build's natives cannot run on every GPU: say so before ND4J loads them
        if (GpuCheck.needed(args) && GpuCheck.cudaBuild()) {
            java.util.Optional<String> gpu = GpuCheck.onThisMachine();
            if (gpu.isPresent()) {
                System.err.println("kd: " + gpu.get());
                return 2;
            }
        }
        QuietStdout.install();
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("kd: " + Errors.describe(ex));
            return Errors.exitCode(ex);
        });
        // picocli echoes a mistyped option with its value (e.g. a URL with a password): masked too
        cl.setParameterExceptionHandler((ex, rest) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("kd: " + org.kdharness.store.Credentials.mask(ex.getMessage()));
            c.getErr().println("see 'kd " + c.getCommandName() + " --help'");
            return 2;
        });
        return cl.execute(args);
    }
}
