package org.kdharness.sweep;

import org.kdharness.config.SearchSpec;
import org.kdharness.store.RungLedger;
import org.kdharness.train.Trainer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration under asynchronous successive halving: its seeds train side by side and
 * meet at each rung, where the configuration is judged once, on the mean of its seeds' metric,
 * and continues or stops whole.
 *
 * <p>Why side by side: a rung's decision needs every seed's value at that epoch, and trials hold
 * no checkpoints; a seed waiting at a rung keeps its network in memory until its siblings arrive,
 * which only threads of the same job can guarantee (a seed that finishes early, fails or stops
 * early leaves, and the others no longer wait for it). The decision itself is taken in the store
 * ({@link RungLedger#decide}), serialised across every worker.
 */
final class AshaJob {

    /** Thrown out of a trial's epoch callback when its configuration is pruned at a rung. */
    static final class Pruned extends RuntimeException {
        final int rung;
        final int epoch;
        final Double metric;

        Pruned(int rung, int epoch, Double metric) {
            super("pruned at rung " + rung + " (epoch " + epoch + ")", null, false, false);
            this.rung = rung;
            this.epoch = epoch;
            this.metric = metric;
        }
    }

    private final String sweep;
    private final String configKey;
    private final SearchSpec search;
    private final List<Integer> rungs;
    private final RungLedger ledger;
    private int active;
    private final Map<Integer, double[]> arrived = new HashMap<>(); // rung -> {sum, count}
    private final Map<Integer, RungLedger.Decision> decisions = new HashMap<>();
    /** Why a decision could not be taken (the store failed): every seed waiting for it fails with it. */
    private RuntimeException failure;
    /** Set once the sweep is asked to stop while this job trains ({@link #stop}). */
    private boolean stopped;

    /**
     * @param seeds  how many trials of the configuration train in this job
     * @param epochs the trials' epochs (the rungs lie below it)
     */
    AshaJob(String sweep, String configKey, SearchSpec search, int epochs, RungLedger ledger, int seeds) {
        this.sweep = sweep;
        this.configKey = configKey;
        this.search = search;
        this.rungs = search.rungs(epochs);
        this.ledger = ledger;
        this.active = seeds;
    }

    /**
     * Why the sweep's store cannot be continued with this search, or null: a grid would report
     * configurations ASHA pruned as never trained; ASHA cannot judge configurations a grid trained in
     * full before (they never met a rung), nor reuse decisions taken at other epochs (its settings changed).
     *
     * @param stored the sweep's stored trials, by id
     * @param rows   its stored rung decisions
     */
    static String conflict(SweepPlan plan, Map<String, String> stored, List<RungLedger.Row> rows, SearchSpec search, int epochs) {
        Map<String, String> configOfTrial = new HashMap<>();
        plan.trials().forEach(t -> configOfTrial.put(t.id(), t.configKey()));
        long pruned = stored.entrySet().stream().filter(e -> configOfTrial.containsKey(e.getKey()) && e.getValue().equals("pruned")).count();
        if (!search.asha()) {
            return pruned == 0 ? null : pruned + " trials of this sweep were pruned by ASHA before; a grid would report them as never"
                    + " trained: keep sweep.search.strategy: asha, or give the sweep a new name";
        }
        List<Integer> rungs = search.rungs(epochs);
        java.util.Set<String> judged = new java.util.HashSet<>();
        for (RungLedger.Row r : rows) {
            judged.add(r.configKey());
            int k = r.decision().rung();
            if (k >= rungs.size() || rungs.get(k) != r.decision().epoch()) {
                return "this sweep's rung " + k + " was decided at epoch " + r.decision().epoch() + ", but the rungs are now at epochs "
                        + rungs + ": ASHA's settings or the epochs changed; give the sweep a new name";
            }
        }
        long unjudged = stored.entrySet().stream().filter(e -> e.getValue().equals("done") && configOfTrial.containsKey(e.getKey())
                && !judged.contains(configOfTrial.get(e.getKey()))).count();
        return unjudged == 0 ? null : unjudged + " trials of this sweep were trained in full without ASHA, so their configurations never"
                + " met a rung: give the sweep a new name to run it under ASHA";
    }

    /** The callback a trial of this job runs after each epoch: at a rung, waits for the decision, and stops the trial if pruned. */
    Trainer.EpochCallback gate() {
        return (epoch, metrics) -> {
            int rung = rungs.indexOf(epoch);
            if (rung >= 0) {
                RungLedger.Decision d = arrive(rung, metrics.getOrDefault(search.metric(), Double.NaN));
                if (!d.promoted()) {
                    throw new Pruned(rung, epoch, d.metric());
                }
            }
        };
    }

    /**
     * The sweep was asked to stop while a trial of this job trained: no rung of it is decided any more (a decision on the
     * seeds that happened to arrive would be final and read back by the resumed run), and a sibling waiting at a rung
     * stops too, so that every seed of the configuration goes back to pending.
     */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /** A trial of this job stopped training (finished, stopped early, failed or pruned). */
    synchronized void leave() {
        active--;
        for (Integer rung : List.copyOf(arrived.keySet())) {
            decideIfAllArrived(rung);
        }
        notifyAll();
    }

    private synchronized RungLedger.Decision arrive(int rung, double metric) {
        double[] a = arrived.computeIfAbsent(rung, k -> new double[2]);
        a[0] += metric;
        a[1]++;
        decideIfAllArrived(rung);
        while (!decisions.containsKey(rung)) {
            if (stopped) {
                throw new org.kdharness.train.TrainingStopped(rungs.get(rung));
            }
            if (failure != null) {
                throw new IllegalStateException("the rung " + rung + " decision failed: " + failure.getMessage(), failure);
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting at rung " + rung, e);
            }
        }
        return decisions.get(rung);
    }

    private void decideIfAllArrived(int rung) {
        double[] a = arrived.get(rung);
        if (!stopped && failure == null && !decisions.containsKey(rung) && a[1] >= active) {
            try {
                decisions.put(rung, ledger.decide(sweep, configKey, rung, rungs.get(rung), a[0] / a[1], search::promotes));
            } catch (RuntimeException e) {
                failure = e;
            }
            notifyAll();
        }
    }
}
