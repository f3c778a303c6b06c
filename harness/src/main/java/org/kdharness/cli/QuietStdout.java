package org.kdharness.cli;

import java.io.PrintStream;

/**
 * Standard output without SameDiff 1.0.0-M2.1's debug print.
 *
 * <p>Why: building a gradient graph prints one "Added differentiated op" line per op to
 * {@code System.out} (not to a logger), burying the per-trial summaries.
 */
final class QuietStdout extends PrintStream {

    QuietStdout(PrintStream out) {
        super(out, true);
    }

    @Override
    public void println(String x) {
        if (x != null && x.startsWith("Added differentiated op")) {
            return;
        }
        super.println(x);
    }

    /** Installs the filter once; idempotent. */
    static void install() {
        if (!(System.out instanceof QuietStdout)) {
            System.setOut(new QuietStdout(System.out));
        }
    }
}
