package org.kdharness.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.CliRun;
import org.kdharness.TinySweep;
import org.kdharness.report.CsvExport;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny sweep through the real CLI: run, rerun (resume does nothing), report, export;
 * the CSV's columns are the public contract and its values equal the store's.
 */
class EndToEndTest {

    @TempDir
    Path dir;

    @Test
    void runResumeReportAndExport() throws Exception {
        String grid = """
                sweep:
                  methods: [baseline, response, feature]
                  temperature: [2, 4]
                  alpha: [0.5]
                  mappings:
                    - [{student: 2, teacher: 2}]
                    - [{student: 1, teacher: 1}, {student: 2, teacher: 2}]
                  seeds: [1, 2]
                """;
        Path config = TinySweep.write(dir, "e2e", grid);
        String reports = dir.resolve("reports").toString();

        CliRun.Result run = CliRun.run("run", config.toString(), "--reports", reports);
        assertEquals(0, run.code(), run.out() + run.err());
        // 2 baseline + 2 T x 1 alpha x 2 seeds response + 2 T x 2 mappings x 2 seeds feature
        assertTrue(run.out().contains("14/14 done, 0 failed, 14 run now"), run.out());
        assertTrue(run.out().contains(": training mlp"), "first run trains the teacher: " + run.out());
        Path html = dir.resolve("reports/e2e/index.html");
        assertTrue(Files.isRegularFile(html));

        CliRun.Result again = CliRun.run("run", config.toString(), "--reports", reports);
        assertTrue(again.out().contains("14/14 done, 0 failed, 0 run now"), "resume must not re-run done trials: " + again.out());
        assertTrue(again.out().contains(": reused from"), "second run reuses the cached teacher: " + again.out());

        CliRun.Result csv = CliRun.run("export", config.toString(), "--reports", reports, "--format", "csv");
        assertEquals(0, csv.code(), csv.err());
        List<String> lines = csv.out().lines().toList();
        List<String> header = Arrays.asList(lines.get(0).split(","));
        assertEquals(List.of("sweep", "trial_id", "method", "temperature", "alpha", "w_feature", "w_response", "mapping",
                "seed", "status", "test_accuracy", "teacher_agreement", "epochs", "seconds"), header.subList(0, 14),
                "the first 14 columns are a public contract");
        assertEquals(CsvExport.COLUMNS, header);
        assertEquals(15, lines.size());

        String url = "jdbc:h2:file:" + dir.resolve("reports/e2e/metrics").toAbsolutePath() + ";AUTO_SERVER=TRUE";
        Map<String, TrialRow> stored;
        try (MetricsStore store = MetricsStore.open(url)) {
            stored = store.trials("e2e").stream().collect(Collectors.toMap(TrialRow::trialId, Function.identity()));
        }
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = parse(line);
            Map<String, String> row = new java.util.HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), f.get(i));
            }
            TrialRow t = stored.get(row.get("trial_id"));
            assertEquals("e2e", row.get("sweep"));
            assertEquals(t.method(), row.get("method"));
            assertEquals("done", row.get("status"));
            assertEquals(t.metric("test_accuracy"), Double.parseDouble(row.get("test_accuracy")), 1e-5);
            assertEquals(t.metric("test_teacher_agreement"), Double.parseDouble(row.get("teacher_agreement")), 1e-5);
            assertEquals("1", row.get("epochs"));
            // MLP trials under baseline/response/feature-mse train by hand (provenance column)
            assertEquals("1", row.get("dense_path"));
            assertEquals("layers", row.get("engine"));
            // no axis overrides them: the config's effective values, never blank
            assertEquals("mlp[16, 8]", row.get("student"));
            assertEquals("0.001", row.get("learning_rate"));
            assertEquals("adam", row.get("optimiser"));
            assertEquals("1", row.get("labelled_fraction"));
            assertEquals(t.provenance().runId(), row.get("run_id"));
            assertEquals(Long.toString(t.seed()), row.get("seed"));
            assertEquals(t.seconds(), Double.parseDouble(row.get("seconds")), 1e-3 * t.seconds());
            assertTrue(t.seconds() > 0);
            switch (t.method()) {
                case "baseline" -> assertEquals("", row.get("temperature") + row.get("alpha") + row.get("mapping")
                        + row.get("w_feature") + row.get("w_response"));
                case "response" -> {
                    assertEquals("0.5", row.get("alpha"));
                    assertEquals(t.temperature(), Double.parseDouble(row.get("temperature")));
                    assertEquals("", row.get("mapping") + row.get("w_feature") + row.get("w_response"));
                }
                case "feature" -> {
                    assertTrue(List.of("s2<-t2", "s1<-t1,s2<-t2").contains(row.get("mapping")), row.get("mapping"));
                    assertEquals(t.mapping(), row.get("mapping"));
                    assertEquals(t.temperature(), Double.parseDouble(row.get("temperature")));
                    assertEquals("0.8", row.get("w_feature"));
                    assertEquals("0.2", row.get("w_response"));
                }
                default -> throw new AssertionError(t.method());
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"s1<-t1,s2<-t2\"")), "a mapping with a comma is quoted");
        String page = Files.readString(html);
        assertTrue(page.contains("data-method=\"feature (mse)\""), "headline lists feature KD");
        assertTrue(page.contains("14 of 14 trials done"), "header counts");

        // narrowing the config: T=4 trials leave the plan; nothing re-runs, exports show the plan only
        Files.writeString(config, Files.readString(config).replace("temperature: [2, 4]", "temperature: [2]"));
        CliRun.Result narrowed = CliRun.run("run", config.toString(), "--reports", reports);
        assertTrue(narrowed.out().contains("8/8 done, 0 failed, 0 run now"), narrowed.out());
        CliRun.Result csv2 = CliRun.run("export", config.toString(), "--reports", reports);
        assertEquals(9, csv2.out().lines().count());
        assertTrue(csv2.out().lines().skip(1).noneMatch(l -> parse(l).get(3).equals("4")), csv2.out());
        CliRun.Result status = CliRun.run("status", "e2e", "--reports", reports);
        assertTrue(status.out().startsWith("e2e: 8/8 done"), "status by sweep name: " + status.out());
        assertTrue(Files.readString(html).contains("6 trials of earlier versions"), "report notes the 6 T=4 trials kept aside");

        // a bad config is rejected before anything is written: same trials, same stored YAML
        String good = Files.readString(config);
        Files.writeString(config, good.replace("temperature: [2]", "temperature: [2, -1]"));
        CliRun.Result bad = CliRun.run("run", config.toString(), "--reports", reports);
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("e2e.yaml:") && bad.err().contains("sweep.temperature[1]"), bad.err());
        try (MetricsStore store = MetricsStore.open(url)) {
            assertEquals(8, store.trials("e2e").size());
            assertEquals(good, store.sweepYaml("e2e").orElseThrow());
        }
        Path fresh = dir.resolve("fresh");
        CliRun.Result badFresh = CliRun.run("run", config.toString(), "--reports", fresh.toString());
        assertEquals(2, badFresh.code());
        assertTrue(!Files.exists(fresh.resolve("e2e")), "no store is created for a bad config");
    }

    /** Splits one CSV line, honouring RFC 4180 quotes. */
    static List<String> parse(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
