package org.kdharness.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job array and its report job, their submission chained by a fake sbatch, and no password in any file or line. */
class SlurmCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesTheArrayAndTheReportJobAndChainsThem() throws Exception {
        Path config = TinySweep.write(dir, "slurmy", TinySweep.SMALL_GRID);
        Path fake = dir.resolve("fake-sbatch");
        // records its arguments, answers like `sbatch --parsable`: a job id (and a cluster name)
        Files.writeString(fake, """
                #!/bin/sh
                echo "$@" >> "$(dirname "$0")/calls.txt"
                echo "$((1000 + $(wc -l < "$(dirname "$0")/calls.txt")));cluster"
                """);
        fake.toFile().setExecutable(true);
        String reports = dir.resolve("reports").toString();
        String url = "jdbc:postgresql://dbhost:5432/kd?user=kd&password=hunter2";
        CliRun.Result r = CliRun.run("slurm", config.toString(), "--reports", reports, "--jdbc-url", url, "--tasks", "3",
                "--cpus", "4", "--submit", "--sbatch", fake.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        Path slurm = Path.of(reports, "slurmy", "slurm");
        String array = Files.readString(slurm.resolve("array.sbatch")), report = Files.readString(slurm.resolve("report.sbatch"));
        assertTrue(array.contains("#SBATCH --array=0-2\n") && array.contains("#SBATCH --cpus-per-task=4\n"), array);
        assertTrue(array.contains("export KD_PROGRESS=plain"), "task logs are files: plain lines");
        assertTrue(array.contains("./kd run '" + config.toAbsolutePath() + "' --reports '") && array.contains(" --no-report"), array);
        assertTrue(array.contains("--jdbc-url 'jdbc:postgresql://dbhost:5432/kd?user=kd&password='\"${KD_DB_PASSWORD:?"), array);
        assertTrue(array.contains("#SBATCH --output=\"" + slurm + "/task-%a.log\""), array);
        assertTrue(report.contains("./kd report '" + config.toAbsolutePath() + "'"), report);
        for (String text : List.of(array, report, r.out(), r.err())) {
            assertFalse(text.contains("hunter2"), "the password is in no script and no line: " + text);
        }
        List<String> calls = Files.readAllLines(dir.resolve("calls.txt"));
        assertEquals(List.of("--parsable " + slurm.resolve("array.sbatch"),
                "--parsable --dependency=afterany:1001 " + slurm.resolve("report.sbatch")), calls);
        assertTrue(r.out().contains("submitted array job 1001 and report job 1002"), r.out());
    }

    @Test
    void withoutSubmitItSaysHowAndAStoredNameIsNotEnough() throws Exception {
        Path config = TinySweep.write(dir, "plain", TinySweep.SMALL_GRID);
        String reports = dir.resolve("reports").toString();
        CliRun.Result r = CliRun.run("slurm", config.toString(), "--reports", reports, "--tasks", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("note: the store is an H2 file"), "two tasks on an H2 file: only on one node: " + r.out());
        assertTrue(r.out().contains("--dependency=afterany:$id"), r.out());
        assertEquals(2, CliRun.run("slurm", config.toString(), "--reports", reports, "--tasks", "0").code());
        // a stored sweep's name is not enough: the tasks run the YAML file
        assertEquals(0, org.kdharness.cli.Main.execute("run", config.toString(), "--reports", reports, "--no-report"));
        CliRun.Result byName = CliRun.run("slurm", "plain", "--reports", reports, "--tasks", "2");
        assertEquals(2, byName.code());
        assertTrue(byName.err().contains("needs the sweep's YAML file"), byName.err());
    }
}
