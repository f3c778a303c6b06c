package org.kdharness.sweep;

import org.kdharness.config.SearchSpec;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a finished ASHA sweep's store must show, recomputed from its rows: configurations
 * promoted or pruned whole, every decision the rule applied to the configurations recorded at
 * its rung before it (so decisions of concurrent workers form one serial order), and each
 * decision's metric the mean of its seeds' stored validation accuracy at the rung's epoch.
 */
final class AshaInvariants {

    /** One trial: status, config key, epochs, pruned rung, attempts, epoch rows. */
    record TrialState(String status, String config, int epochs, Integer prunedRung, int attempts, int epochRows) {
    }

    /** One decision. */
    record Decision(String config, int rung, int epoch, int arrival, double metric, boolean promoted) {
    }

    final Map<String, TrialState> trials = new TreeMap<>();
    final List<Decision> decisions = new ArrayList<>();
    /** trial id -> epoch -> val_accuracy */
    final Map<String, Map<Integer, Double>> val = new HashMap<>();

    static AshaInvariants read(String url, String sweep) throws SQLException {
        AshaInvariants a = new AshaInvariants();
        try (Connection c = url.startsWith("jdbc:h2:") ? DriverManager.getConnection(url, "sa", "") : DriverManager.getConnection(url)) {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT t.trial_id, t.status, t.config_key, t.epochs, t.pruned_rung, t.attempts,"
                    + " (SELECT COUNT(*) FROM epoch_metric e WHERE e.sweep = t.sweep AND e.trial_id = t.trial_id AND e.name = 'epoch')"
                    + " FROM trial t WHERE t.in_plan AND t.sweep = '" + sweep + "'")) {
                while (rs.next()) {
                    a.trials.put(rs.getString(1), new TrialState(rs.getString(2), rs.getString(3), rs.getInt(4),
                            (Integer) rs.getObject(5), rs.getInt(6), rs.getInt(7)));
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT config_key, rung, epoch, arrival, metric_value, promoted"
                    + " FROM asha_rung WHERE sweep = '" + sweep + "' ORDER BY rung, arrival")) {
                while (rs.next()) {
                    a.decisions.add(new Decision(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getDouble(5), rs.getBoolean(6)));
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT trial_id, epoch, metric_value FROM epoch_metric"
                    + " WHERE sweep = '" + sweep + "' AND name = 'val_accuracy'")) {
                while (rs.next()) {
                    a.val.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getInt(2), rs.getDouble(3));
                }
            }
        }
        return a;
    }

    /** Asserts everything a finished sweep of {@code epochs}-epoch trials must show. */
    void assertFinished(SearchSpec search, int epochs) {
        assertTrue(!decisions.isEmpty(), "the sweep took rung decisions");
        Map<String, List<String>> byConfig = new TreeMap<>();
        trials.forEach((id, t) -> byConfig.computeIfAbsent(t.config(), k -> new ArrayList<>()).add(id));
        Map<Integer, List<Decision>> byRung = new TreeMap<>();
        decisions.forEach(d -> byRung.computeIfAbsent(d.rung(), k -> new ArrayList<>()).add(d));
        List<Integer> rungs = search.rungs(epochs);
        byRung.forEach((rung, list) -> {
            assertEquals(rungs.get(rung), list.get(0).epoch(), "rung " + rung + "'s epoch");
            for (int i = 0; i < list.size(); i++) {
                Decision d = list.get(i);
                assertEquals(i + 1, d.arrival(), "arrivals at rung " + rung + " are 1..n, each once: " + list);
                int rank = 1 + (int) list.subList(0, i).stream().filter(o -> o.metric() > d.metric()).count();
                assertEquals(search.promotes(rank, i + 1), d.promoted(), "decision " + d + " against the " + i + " before it");
                double mean = byConfig.get(d.config()).stream().mapToDouble(id -> val.get(id).get(d.epoch())).average().orElseThrow();
                assertEquals(mean, d.metric(), 1e-9, "the decision's metric is its seeds' mean val accuracy at epoch " + d.epoch());
            }
        });
        byConfig.forEach((config, ids) -> {
            List<Decision> mine = decisions.stream().filter(d -> d.config().equals(config)).toList();
            String status = trials.get(ids.get(0)).status();
            for (String id : ids) {
                TrialState t = trials.get(id);
                assertEquals(status, t.status(), "a configuration's seeds end alike: " + ids);
                assertEquals(t.epochs(), t.epochRows(), id + ": one epoch row per epoch trained, none from an earlier attempt");
            }
            for (int k = 0; k < mine.size(); k++) {
                assertEquals(k, mine.get(k).rung(), config + " reached rung " + k + " only after every rung below it");
            }
            if (status.equals("done")) {
                assertEquals(rungs.size(), mine.size(), config + " passed every rung");
                assertTrue(mine.stream().allMatch(Decision::promoted), config + " was promoted at every rung");
                ids.forEach(id -> assertEquals(epochs, trials.get(id).epochs()));
            } else {
                assertEquals("pruned", status, config + " is done or pruned");
                Decision last = mine.get(mine.size() - 1);
                assertTrue(!last.promoted() && mine.subList(0, mine.size() - 1).stream().allMatch(Decision::promoted), config + ": " + mine);
                ids.forEach(id -> {
                    assertEquals(last.rung(), trials.get(id).prunedRung());
                    assertEquals(last.epoch(), trials.get(id).epochs(), "a pruned trial stopped at its rung");
                });
            }
        });
    }

    long count(String status) {
        return trials.values().stream().filter(t -> t.status().equals(status)).count();
    }

    long trialEpochs() {
        return trials.values().stream().mapToLong(TrialState::epochs).sum();
    }
}
