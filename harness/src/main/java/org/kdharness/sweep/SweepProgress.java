package org.kdharness.sweep;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What a running sweep prints: one line per finished trial, plus either a redrawn progress
 * bar (a terminal) or a plain summary line every so often (a log file).
 *
 * <p>Why two modes: under Slurm or {@code nohup} the output is a file, where the bar's
 * carriage-return frames pile up into unreadable lines; there the same facts (done, failed,
 * elapsed, an estimate of what is left, the best configuration so far) come as one line per
 * {@code summaryEvery}.
 */
final class SweepProgress implements AutoCloseable {

    private final PrintStream out;
    private final ProgressBar bar;
    private final boolean terminal;
    private final int total;
    private final long doneBefore;
    private final Duration summaryEvery;
    private final long start = System.nanoTime();
    private long lastSummary = System.nanoTime();
    private int finishedNow, failedNow;

    /**
     * @param terminal     whether the output is a terminal (bar) or a file (plain lines)
     * @param summaryEvery how often a plain summary line is printed (file output only)
     */
    SweepProgress(PrintStream out, boolean terminal, String sweep, int total, long doneBefore, Duration summaryEvery) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
        this.doneBefore = doneBefore;
        this.summaryEvery = summaryEvery;
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(sweep).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed()
                .startsFrom(doneBefore, Duration.ZERO);
        if (!terminal) {
            // the bar still counts (and its speed estimate is used) but draws nothing
            b.setConsumer(new DelegatingProgressBarConsumer(frame -> { }));
        }
        this.bar = b.build();
    }

    /** A line of its own, above the bar on a terminal. */
    synchronized void line(String text) {
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println(text);
    }

    /** One more trial finished (or failed); {@code best} describes the best configuration so far. */
    synchronized void step(boolean failed, Supplier<String> best) {
        finishedNow++;
        failedNow += failed ? 1 : 0;
        bar.step();
        bar.setExtraMessage(best.get());
        long now = System.nanoTime();
        if (!terminal && (now - lastSummary >= summaryEvery.toNanos() || doneBefore + finishedNow == total)) {
            lastSummary = now;
            out.println(summary(now, best.get()));
        }
    }

    /** {@code progress: 12/48 finished (1 failed), 3m 10s elapsed, about 9m 30s left | best ...}. */
    String summary(long now, String best) {
        long finished = doneBefore + finishedNow;
        double elapsed = (now - start) / 1e9;
        String left = finishedNow == 0 || finished >= total ? ""
                : ", about " + duration(elapsed / finishedNow * (total - finished)) + " left";
        return String.format(Locale.ROOT, "progress: %d/%d finished (%d failed now), %s elapsed%s%s", finished, total, failedNow,
                duration(elapsed), left, best);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        bar.close();
    }
}
