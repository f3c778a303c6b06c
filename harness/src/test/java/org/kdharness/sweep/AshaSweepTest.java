package org.kdharness.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdharness.TinySweep;
import org.kdharness.cli.Main;
import org.kdharness.config.SearchSpec;
import org.kdharness.report.SweepSummary;
import org.kdharness.store.MetricsStore;
import org.kdharness.store.TrialRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ASHA in one process: configurations pruned and promoted whole by the rule, and a report whose
 * comparisons use fully trained configurations only, with the rungs and the trial-epochs saved
 * recomputed from the store.
 */
class AshaSweepTest {

    @TempDir
    Path dir;

    /** 12 configurations x 2 seeds, 9 epochs, rungs at epochs 1 and 3. */
    static String yaml(String name) {
        return TinySweep.yaml(name, """
                sweep:
                  methods: [response]
                  temperature: [1, 2, 4, 8]
                  alpha: [0.1, 0.5, 0.9]
                  seeds: [1, 2]
                  search: {strategy: asha, min_epochs: 1, reduction_factor: 3}
                """).replace("training: {epochs: 1, batch_size: 64}", "training: {epochs: 9, batch_size: 64}");
    }

    @Test
    void prunesWholeConfigurationsAndReportsOnlyFullyTrainedOnes() throws Exception {
        Path config = dir.resolve("asha.yaml");
        Files.writeString(config, yaml("asha"));
        Path reports = dir.resolve("reports");
        assertEquals(0, Main.execute("run", config.toString(), "--reports", reports.toString()));

        String url = Workspace.defaultStore(reports.resolve("asha").toAbsolutePath());
        AshaInvariants ledger = AshaInvariants.read(url, "asha");
        SearchSpec search = new SearchSpec("asha", 1, 3.0, null);
        ledger.assertFinished(search, 9);
        assertEquals(24, ledger.trials.size());
        assertTrue(ledger.count("pruned") > 0 && ledger.count("done") > 0, "some pruned, some trained fully: " + ledger.trials);
        assertEquals(12, ledger.decisions.stream().filter(d -> d.rung() == 0).count(), "every configuration reached rung 0");

        List<TrialRow> trials;
        try (MetricsStore store = MetricsStore.open(url)) {
            trials = store.trials("asha");
        }
        String html = Files.readString(reports.resolve("asha/index.html"));
        // the headline's response row is the best fully trained configuration by mean validation accuracy
        Map<String, List<TrialRow>> done = trials.stream().filter(t -> t.status().equals("done"))
                .collect(Collectors.groupingBy(t -> t.temperature() + "/" + t.alpha()));
        List<TrialRow> best = done.values().stream().max(Comparator.comparingDouble(
                g -> g.stream().mapToDouble(t -> t.metric(SweepSummary.SELECT_ON)).average().orElseThrow())).orElseThrow();
        Matcher headline = Pattern.compile("<tr data-method=\"response\">.*?<td class=\"num test\">([^<]+)</td>", Pattern.DOTALL).matcher(html);
        assertTrue(headline.find());
        double mean = best.stream().mapToDouble(t -> t.metric("test_accuracy")).average().orElseThrow();
        assertTrue(headline.group(1).startsWith(String.format(Locale.ROOT, "%.2f ±", 100 * mean)), headline.group(1));
        assertTrue(html.contains(ledger.count("done") + " of 24 trials done, " + ledger.count("pruned") + " pruned (ASHA)"), "counts");

        // the section: per rung reached/continued/pruned, and the trial-epochs against the whole grid's 24 x 9
        for (int rung = 0; rung < 2; rung++) {
            int r = rung;
            long reached = ledger.decisions.stream().filter(d -> d.rung() == r).count();
            long promoted = ledger.decisions.stream().filter(d -> d.rung() == r && d.promoted()).count();
            assertTrue(html.contains("<tr><td class=\"num\">" + rung + "</td><td class=\"num\">" + (rung == 0 ? 1 : 3) + "</td><td class=\"num\">"
                    + reached + "</td><td class=\"num\">" + promoted + "</td><td class=\"num\">" + (reached - promoted) + "</td></tr>"),
                    "rung " + rung + " row");
        }
        long used = ledger.trialEpochs();
        assertTrue(used < 24 * 9 * 0.6, "ASHA saved compute: " + used);
        assertTrue(html.contains("Trial-epochs spent: " + used + " of the 216 the whole grid would cost ("
                + String.format(Locale.ROOT, "%.0f", 100.0 * used / 216) + " %; " + (216 - used) + " saved)"), "cost line");
        long prunedConfigs = ledger.count("pruned") / 2;
        Matcher prunedTable = Pattern.compile("<table id=\"asha-pruned\">(.*?)</table>", Pattern.DOTALL).matcher(html);
        assertTrue(prunedTable.find());
        assertEquals(prunedConfigs, prunedTable.group(1).split("<tr>").length - 2, "one row per pruned configuration");
    }
}
