package org.kdharness.sweep;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request to stop a sweep: a user's Ctrl-C (SIGINT) or a scheduler's SIGTERM (Slurm's pre-emption signal). The first
 * signal once trials run ({@link #arm}) stops claiming trials and stops the running ones between two batches; they go
 * back to pending, the store closes cleanly and the report is written. A second signal, or a first one before any
 * trial runs (loading data, training the teacher), exits at once with code 130, as {@code kill -9} would: what was
 * reported done stays done, and the next run returns the trials the process left running.
 *
 * <p>Why a signal handler, not a shutdown hook: the JVM runs shutdown hooks while the other threads keep training, and
 * H2 closes its database from a hook of its own, so trials that were still writing met "Database is already closed"
 * (left in {@code metrics.trace.db}) and stayed {@code running} until the next run. A handler runs before any
 * shutdown starts. {@code sun.misc.Signal} is the JDK's only signal API; module {@code jdk.unsupported} exports it.
 */
public final class StopRequest implements AutoCloseable {

    /** The exit code of a run stopped by a signal: 128 + SIGINT's number, what shells report for Ctrl-C. */
    public static final int EXIT_CODE = 130;

    private final AtomicInteger signals = new AtomicInteger();
    private final PrintStream err;
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile boolean armed;

    private StopRequest(PrintStream err) {
        this.err = err;
    }

    /** A request only {@link #request} makes: no signal handler (tests, and callers that run no sweep of their own). */
    public static StopRequest manual() {
        return new StopRequest(null);
    }

    /** Handles SIGINT and SIGTERM until {@link #close}, printing to {@code err} what a signal does. */
    public static StopRequest onSignals(PrintStream err) {
        StopRequest r = new StopRequest(err);
        for (String name : new String[]{"INT", "TERM"}) {
            try {
                Signal signal = new Signal(name);
                r.previous.put(signal, Signal.handle(signal, s -> r.signalled(name)));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal for itself (e.g. under -Xrs): its default stays
            }
        }
        return r;
    }

    private void signalled(String name) {
        int n = signals.incrementAndGet();
        if (n == 1 && armed) {
            err.println("kd: SIG" + name + ": stopping; running trials go back to pending (press Ctrl-C again to quit at once)");
            err.flush();
            return;
        }
        err.println(n == 1 ? "kd: SIG" + name + " before any trial started: quitting" : "kd: SIG" + name + " again: quitting at once");
        err.flush();
        Runtime.getRuntime().halt(EXIT_CODE);
    }

    /** From now on a first signal stops the sweep gracefully: trials are running, and each can be returned to pending. */
    void arm() {
        armed = true;
    }

    /** Asks the sweep to stop, as a first signal does once armed. */
    public void request() {
        signals.incrementAndGet();
    }

    /** Whether the sweep has been asked to stop. */
    public boolean requested() {
        return signals.get() > 0;
    }

    /** Gives the signals back to the handlers they had before. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }
}
