package org.kdharness.sweep;

import org.kdharness.store.MetricsStore;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Rewrites the sweep's report every few minutes while the sweep runs, on a daemon thread.
 *
 * <p>Why: an overnight sweep still running in the morning should show where it stands
 * without waiting for its end; the report reads only the store, and {@code HtmlReport}
 * replaces the file atomically, so a reader never sees half a page. A failed refresh is a
 * warning line, never a failed sweep.
 */
final class ReportRefresh implements AutoCloseable {

    private final ScheduledExecutorService timer;

    private ReportRefresh(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts refreshing every {@code minutes} (nothing when {@code writer} is null or {@code minutes} is 0). */
    static ReportRefresh start(SweepRunner.ReportWriter writer, MetricsStore store, double minutes, SweepProgress progress) {
        if (writer == null || minutes <= 0) {
            return new ReportRefresh(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "report-refresh");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, Math.round(minutes * 60_000));
        timer.scheduleWithFixedDelay(() -> {
            try {
                progress.line("report refreshed: " + writer.write(store));
            } catch (RuntimeException e) {
                progress.line("warning: report not refreshed (" + e.getMessage() + ")");
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return new ReportRefresh(timer);
    }

    @Override
    public void close() {
        if (timer != null) {
            // never interrupt a refresh: H2's file store closes itself when a thread in it is interrupted
            timer.shutdown();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
