package org.kdharness.store;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sweep's ledger and metrics database, over JDBC.
 *
 * <p>Why the store is the ledger: a trial's status lives next to its results, so a resumed
 * or parallel run decides what to do from the same rows the report reads; claiming a
 * pending trial is one conditional UPDATE, so two workers never run the same trial. The
 * schema is migrated by Flyway, so a store written by an older version is upgraded in
 * place. Any JDBC URL works (H2 file or server, PostgreSQL).
 */
public final class MetricsStore implements AutoCloseable {

    private final Sql sql;

    private MetricsStore(Sql sql) {
        this.sql = sql;
    }

    /**
     * Opens (creating and migrating if needed) the store at {@code jdbcUrl}. A connection lost later is replaced by a
     * new one to the same URL ({@link Sql}).
     */
    public static MetricsStore open(String jdbcUrl) {
        return new MetricsStore(new Sql(Connections.open(jdbcUrl, true), () -> Connections.open(jdbcUrl, false)));
    }

    public synchronized void upsertSweep(String name, String yaml) {
        Timestamp now = Sql.now();
        int n = sql.update("UPDATE sweep SET config_yaml = ?, updated_at = ? WHERE name = ?", yaml, now, name);
        if (n == 0) {
            insertOrElse(() -> sql.update("INSERT INTO sweep(name, config_yaml, created_at, updated_at) VALUES (?, ?, ?, ?)",
                    name, yaml, now, now), () -> sql.update("UPDATE sweep SET config_yaml = ?, updated_at = ? WHERE name = ?", yaml, now, name));
        }
    }

    /** Runs {@code insert}, or {@code instead} when another worker inserted the same key first (same key, same content). */
    private void insertOrElse(Runnable insert, Runnable instead) {
        try {
            insert.run();
        } catch (StoreException e) {
            if (!isDuplicateKey(e)) {
                throw e;
            }
            instead.run();
        }
    }

    /** The running trials and their epochs so far (what {@code kd status} shows), on this store's connection. */
    public LiveTrials live() {
        return new LiveTrials(this, sql);
    }

    /** ASHA's claims, rung decisions and pruned trials, on this store's connection. */
    public RungLedger rungs() {
        return new RungLedger(this, sql);
    }

    public synchronized Optional<String> sweepYaml(String name) {
        List<String> r = sql.query("SELECT config_yaml FROM sweep WHERE name = ?", rs -> rs.getString(1), name);
        return r.stream().findFirst();
    }

    public synchronized void startRun(RunInfo r) {
        // a run id is new: a duplicate is this very insert, made again after its commit outlived the connection
        insertOrElse(() -> sql.update("INSERT INTO run(id, sweep, worker, started_at, backend, device, threads, parallel_trials, java_version,"
                        + " git_commit, libraries, teacher_key, data_source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                r.id(), r.sweep(), r.worker(), Sql.now(), r.backend(), r.device(), r.threads(), r.parallelTrials(),
                r.javaVersion(), r.gitCommit(), r.libraries(), r.teacherKey(), r.dataSource()), () -> { });
    }

    public synchronized void finishRun(String id) {
        sql.update("UPDATE run SET finished_at = ? WHERE id = ?", Sql.now(), id);
    }

    /** Provenance rows of a sweep's runs, newest first, as column-name maps. */
    public synchronized List<Map<String, Object>> runs(String sweep) {
        return sql.query("SELECT * FROM run WHERE sweep = ? ORDER BY started_at DESC", Sql::rowMap, sweep);
    }

    public synchronized void upsertTeacher(String key, String specJson, double testAccuracy, long params, double seconds) {
        java.util.function.IntSupplier update = () -> sql.update("UPDATE teacher SET test_accuracy = ?, params = ? WHERE teacher_key = ?",
                testAccuracy, params, key);
        if (update.getAsInt() == 0) {
            insertOrElse(() -> sql.update("INSERT INTO teacher(teacher_key, spec_json, test_accuracy, params, train_seconds) VALUES (?,?,?,?,?)",
                    key, specJson, testAccuracy, params, seconds), update::getAsInt);
        }
    }

    public synchronized Optional<Map<String, Object>> teacher(String key) {
        return sql.query("SELECT * FROM teacher WHERE teacher_key = ?", Sql::rowMap, key).stream().findFirst();
    }

    /** Stores test example {@code idx}'s label and teacher logits (comma-separated). */
    public synchronized void putTeacherSample(String key, int idx, int label, double[] logits) {
        String text = java.util.Arrays.stream(logits).mapToObj(v -> Double.toString(v)).collect(java.util.stream.Collectors.joining(","));
        sql.update("DELETE FROM teacher_sample WHERE teacher_key = ? AND idx = ?", key, idx);
        // the same teacher key is the same teacher: another worker's identical row may stand
        insertOrElse(() -> sql.update("INSERT INTO teacher_sample(teacher_key, idx, label, logits) VALUES (?,?,?,?)", key, idx, label, text),
                () -> { });
    }

    /** Stored teacher samples: label then logits, by index. */
    public synchronized Map<Integer, double[]> teacherSamples(String key) {
        Map<Integer, double[]> out = new java.util.TreeMap<>();
        sql.query("SELECT idx, label, logits FROM teacher_sample WHERE teacher_key = ?", rs -> {
            String[] parts = rs.getString(3).split(",");
            double[] v = new double[parts.length + 1];
            v[0] = rs.getInt(2);
            for (int i = 0; i < parts.length; i++) {
                v[i + 1] = Double.parseDouble(parts[i]);
            }
            out.put(rs.getInt(1), v);
            return 0;
        }, key);
        return out;
    }

    /**
     * Stores a CKA matrix {@code cka[s-1][t-1]} measured for a student architecture against teacher {@code teacherKey},
     * replacing the one stored before (one transaction: no half-written matrix is ever read).
     */
    public synchronized void putCka(String sweep, String student, String teacherKey, double[][] cka) {
        sql.transaction(() -> {
            sql.update("DELETE FROM cka WHERE sweep = ? AND student = ?", sweep, student);
            for (int i = 0; i < cka.length; i++) {
                for (int j = 0; j < cka[i].length; j++) {
                    sql.update("INSERT INTO cka(sweep, student, student_layer, teacher_layer, cka_value, teacher_key) VALUES (?,?,?,?,?,?)",
                            sweep, student, i + 1, j + 1, cka[i][j], teacherKey);
                }
            }
        });
    }

    /**
     * Stores {@code cka} unless another worker stored a matrix of this shape for the sweep, student and teacher first,
     * and returns the one stored: workers measuring at once all rank mappings from the same matrix, so they plan the
     * same trials. The check and the write are one transaction that first locks the sweep's {@code cka_lock} row (as
     * ASHA's decisions lock the sweep's row, which on a sweep's first run does not exist yet): the first writer wins.
     */
    public synchronized double[][] keepCka(String sweep, String student, String teacherKey, double[][] cka) {
        insertOrElse(() -> sql.update("INSERT INTO cka_lock(sweep, touched_at) VALUES (?, ?)", sweep, Sql.now()), () -> { });
        double[][][] kept = new double[1][][];
        sql.transaction(() -> {
            sql.update("UPDATE cka_lock SET touched_at = ? WHERE sweep = ?", Sql.now(), sweep);
            double[][] stored = cka(sweep, teacherKey).get(student);
            if (stored != null && stored.length == cka.length && (cka.length == 0 || stored[0].length == cka[0].length)) {
                kept[0] = stored;
                return;
            }
            putCka(sweep, student, teacherKey, cka); // joins this transaction
            kept[0] = cka;
        });
        return kept[0];
    }

    /** CKA matrices of a sweep by student architecture (each the latest measured). */
    public synchronized Map<String, double[][]> cka(String sweep) {
        return cka(sweep, null);
    }

    /**
     * CKA matrices of a sweep by student architecture, measured against teacher {@code teacherKey} or stored before
     * teachers were recorded (any when null).
     */
    public synchronized Map<String, double[][]> cka(String sweep, String teacherKey) {
        Map<String, List<double[]>> cells = new LinkedHashMap<>();
        // rows first, grouped after: a query made again on a new connection must not add its rows twice
        Object[] args = teacherKey == null ? new Object[]{sweep} : new Object[]{sweep, teacherKey};
        // a matrix stored before teacher keys were (NULL) counts as this teacher's: sweeps under way keep their ranking
        sql.query("SELECT student, student_layer, teacher_layer, cka_value FROM cka WHERE sweep = ?"
                        + (teacherKey == null ? "" : " AND (teacher_key = ? OR teacher_key IS NULL)")
                        + " ORDER BY student, student_layer, teacher_layer",
                rs -> Map.entry(rs.getString(1), new double[]{rs.getInt(2), rs.getInt(3), rs.getDouble(4)}), args)
                .forEach(row -> cells.computeIfAbsent(row.getKey(), k -> new ArrayList<>()).add(row.getValue()));
        Map<String, double[][]> out = new LinkedHashMap<>();
        cells.forEach((student, list) -> {
            int s = (int) list.stream().mapToDouble(c -> c[0]).max().orElse(0);
            int t = (int) list.stream().mapToDouble(c -> c[1]).max().orElse(0);
            double[][] m = new double[s][t];
            list.forEach(c -> m[(int) c[0] - 1][(int) c[1] - 1] = c[2]);
            out.put(student, m);
        });
        return out;
    }

    /**
     * A planned trial to register: id, order, settings (method parameters as text), the effective spec's JSON and
     * its configuration's key (the same for every seed of one setting).
     */
    public record PlannedTrial(String trialId, int ordinal, String method, Double temperature, Double alpha,
                               Double wFeature, Double wResponse, String mapping, String distance, long seed,
                               String student, Double learningRate, Double labelledFraction, String optimiser,
                               String params, String specJson, String configKey) {
    }

    /**
     * Makes {@code trials} the sweep's plan: new ones are registered as pending, known ones
     * keep their status and results, and trials of earlier versions of the config leave the
     * plan (kept, but no longer run or reported). Returns how many were new.
     */
    public synchronized int addTrials(String sweep, List<PlannedTrial> trials) {
        return addTrials(sweep, trials, 1);
    }

    private int addTrials(String sweep, List<PlannedTrial> trials, int attempt) {
        // one transaction: other workers never see the plan half-replaced
        int[] added = new int[1];
        try {
            sql.transaction(() -> {
                added[0] = 0;
                sql.update("UPDATE trial SET in_plan = FALSE WHERE sweep = ?", sweep);
                for (PlannedTrial t : trials) {
                    if (sql.update("UPDATE trial SET ordinal = ?, in_plan = TRUE, config_key = ? WHERE sweep = ? AND trial_id = ?", t.ordinal(),
                            t.configKey(), sweep, t.trialId()) == 0) {
                        sql.update("INSERT INTO trial(sweep, trial_id, ordinal, method, temperature, alpha, w_feature, w_response,"
                                        + " mapping, distance, seed, student, learning_rate, labelled_fraction, optimiser, params, spec_json, config_key, status)"
                                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'pending')",
                                sweep, t.trialId(), t.ordinal(), t.method(), t.temperature(), t.alpha(), t.wFeature(),
                                t.wResponse(), t.mapping(), t.distance(), t.seed(), t.student(), t.learningRate(),
                                t.labelledFraction(), t.optimiser(), t.params(), t.specJson(), t.configKey());
                        added[0]++;
                    }
                }
            });
            return added[0];
        } catch (StoreException e) {
            if (isDuplicateKey(e) && attempt < 5) {
                // another worker registered the same trials at the same moment: its plan is ours
                return addTrials(sweep, trials, attempt + 1);
            }
            throw e;
        }
    }

    private static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // 23505 alone: other integrity failures (a trial of a sweep never registered) are faults, not races
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns trials left {@code running} by a dead worker to {@code pending}: a worker on
     * this host whose process is gone, or any worker silent for longer than {@code staleSeconds}.
     * With {@code retryFailed}, failed trials become pending too. Returns how many were reset.
     */
    public synchronized int releaseAbandoned(String sweep, String host, long staleSeconds, boolean retryFailed) {
        int n = 0;
        List<String[]> running = sql.query("SELECT trial_id, worker FROM trial WHERE sweep = ? AND status = 'running'",
                rs -> new String[]{rs.getString(1), rs.getString(2)}, sweep);
        for (String[] r : running) {
            if (WorkerId.isDeadLocal(r[1], host)) {
                n += sql.update("UPDATE trial SET status = 'pending', worker = NULL WHERE sweep = ? AND trial_id = ? AND status = 'running'",
                        sweep, r[0]);
            }
        }
        n += sql.update("UPDATE trial SET status = 'pending', worker = NULL WHERE sweep = ? AND status = 'running' AND heartbeat_at < ?",
                sweep, Timestamp.from(Instant.now().minusSeconds(staleSeconds)));
        if (retryFailed) {
            n += sql.update("UPDATE trial SET status = 'pending', reason = NULL WHERE sweep = ? AND status = 'failed'", sweep);
        }
        return n;
    }

    /**
     * Atomically claims the next pending trial (lowest ordinal) for {@code worker}, among
     * those whose ordinal falls in shard {@code shard} of {@code shards}.
     */
    public synchronized Optional<String> claimNext(String sweep, String worker, int shard, int shards) {
        List<String[]> pending = sql.query("SELECT trial_id, ordinal FROM trial WHERE sweep = ? AND status = 'pending' AND in_plan ORDER BY ordinal",
                rs -> new String[]{rs.getString(1), rs.getString(2)}, sweep);
        for (String[] p : pending) {
            if (Integer.parseInt(p[1]) % shards != shard) {
                continue;
            }
            Timestamp now = Sql.now();
            if (sql.update("UPDATE trial SET status = 'running', worker = ?, attempts = attempts + 1, claimed_at = ?, heartbeat_at = ?"
                    + " WHERE sweep = ? AND trial_id = ? AND status = 'pending'", worker, now, now, sweep, p[0]) == 1) {
                // a re-run starts from a clean slate: no epochs or metrics of an earlier attempt remain
                sql.update("DELETE FROM epoch_metric WHERE sweep = ? AND trial_id = ?", sweep, p[0]);
                sql.update("DELETE FROM trial_metric WHERE sweep = ? AND trial_id = ?", sweep, p[0]);
                return Optional.of(p[0]);
            }
        }
        return Optional.empty();
    }

    public synchronized String specJson(String sweep, String trialId) {
        return sql.query("SELECT spec_json FROM trial WHERE sweep = ? AND trial_id = ?", rs -> rs.getString(1), sweep, trialId).get(0);
    }

    /** Records one epoch's metrics and refreshes the trial's heartbeat. */
    public synchronized void recordEpoch(String sweep, String trialId, int epoch, Map<String, Double> metrics) {
        // one transaction: one durable write per epoch, not one per statement
        sql.transaction(() -> {
            for (Map.Entry<String, Double> e : metrics.entrySet()) {
                sql.update("DELETE FROM epoch_metric WHERE sweep = ? AND trial_id = ? AND epoch = ? AND name = ?", sweep, trialId, epoch, e.getKey());
                sql.update("INSERT INTO epoch_metric(sweep, trial_id, epoch, name, metric_value) VALUES (?,?,?,?,?)",
                        sweep, trialId, epoch, e.getKey(), Sql.finite(e.getValue()));
            }
            sql.update("UPDATE trial SET heartbeat_at = ? WHERE sweep = ? AND trial_id = ?", Sql.now(), sweep, trialId);
        });
    }

    /** Marks a trial done with its final metrics and its provenance (the run that produced it, the engine). */
    public synchronized void complete(String sweep, String trialId, Map<String, Double> metrics, int epochs, double seconds,
                                      TrialRow.Provenance provenance) {
        // one transaction: a trial is done with all its metrics or not at all
        sql.transaction(() -> {
            sql.update("DELETE FROM trial_metric WHERE sweep = ? AND trial_id = ?", sweep, trialId);
            for (Map.Entry<String, Double> e : metrics.entrySet()) {
                sql.update("INSERT INTO trial_metric(sweep, trial_id, name, metric_value) VALUES (?,?,?,?)", sweep, trialId, e.getKey(),
                        Sql.finite(e.getValue()));
            }
            sql.update("UPDATE trial SET status = 'done', reason = NULL, finished_at = ?, epochs = ?, seconds = ?, run_id = ?, engine = ?"
                    + " WHERE sweep = ? AND trial_id = ?", Sql.now(), epochs, seconds, provenance.runId(), provenance.engine(), sweep, trialId);
        });
    }

    /**
     * Returns a trial this process was running to {@code pending} (the sweep was asked to stop): the next run trains it
     * from the start. A trial no longer {@code running} (done, failed, or already returned) is left as it is.
     */
    public synchronized boolean returnToPending(String sweep, String trialId) {
        return sql.update("UPDATE trial SET status = 'pending', worker = NULL WHERE sweep = ? AND trial_id = ? AND status = 'running'",
                sweep, trialId) == 1;
    }

    /** Marks a trial failed, keeping the reason and the run that gave up on it (null when no run trained it). */
    public synchronized void fail(String sweep, String trialId, String reason, String runId) {
        sql.update("UPDATE trial SET status = 'failed', reason = ?, finished_at = ?, run_id = ? WHERE sweep = ? AND trial_id = ?",
                Credentials.mask(reason), Sql.now(), runId, sweep, trialId);
    }

    /** Trials of earlier versions of the config, kept in the ledger but out of the plan. */
    public synchronized int staleTrials(String sweep) {
        return sql.query("SELECT COUNT(*) FROM trial WHERE sweep = ? AND NOT in_plan", rs -> rs.getInt(1), sweep).get(0);
    }

    /** The trials of the sweep's current plan, in plan order, with their final metrics. */
    public synchronized List<TrialRow> trials(String sweep) {
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        sql.query("SELECT trial_id, name, metric_value FROM trial_metric WHERE sweep = ?", rs -> {
            metrics.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), Sql.nullable(rs, 3));
            return 0;
        }, sweep);
        return sql.query("SELECT trial_id, ordinal, method, temperature, alpha, w_feature, w_response, mapping, distance, seed,"
                        + " status, reason, epochs, seconds, student, learning_rate, labelled_fraction, optimiser, params, run_id, engine"
                        + " FROM trial WHERE sweep = ? AND in_plan ORDER BY ordinal",
                rs -> new TrialRow(sweep, rs.getString(1), rs.getInt(2), rs.getString(3), Sql.nullable(rs, 4), Sql.nullable(rs, 5),
                        Sql.nullable(rs, 6), Sql.nullable(rs, 7), rs.getString(8), rs.getString(9), rs.getLong(10), rs.getString(11),
                        rs.getString(12), (Integer) rs.getObject(13), Sql.nullable(rs, 14), rs.getString(15), Sql.nullable(rs, 16), Sql.nullable(rs, 17), rs.getString(18),
                        rs.getString(19), new TrialRow.Provenance(rs.getString(20), rs.getString(21)),
                        metrics.getOrDefault(rs.getString(1), Map.of())), sweep);
    }

    /** Per-epoch metrics of one trial: epoch, then name to value. */
    public synchronized Map<Integer, Map<String, Double>> epochs(String sweep, String trialId) {
        Map<Integer, Map<String, Double>> out = new java.util.TreeMap<>();
        sql.query("SELECT epoch, name, metric_value FROM epoch_metric WHERE sweep = ? AND trial_id = ?", rs -> {
            out.computeIfAbsent(rs.getInt(1), k -> new LinkedHashMap<>()).put(rs.getString(2), Sql.nullable(rs, 3));
            return 0;
        }, sweep, trialId);
        return out;
    }

    @Override
    public synchronized void close() {
        sql.close();
    }
}
