package org.kdharness.cli;

import org.kdharness.config.ConfigException;
import org.kdharness.store.Credentials;

/**
 * Turns failures into one clear line and an exit code.
 *
 * <p>Why: a researcher reading a log at 8 am needs the file and field at fault, not a
 * stack trace; config errors exit 2, everything else 1.
 */
final class Errors {

    private Errors() {
    }

    /** One line, with any credential (a store URL's password, echoed by a driver) masked. */
    static String describe(Throwable e) {
        if (e instanceof ConfigException) {
            return Credentials.mask("config error: " + e.getMessage());
        }
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        // one line: a multi-line library report is cut to its first line
        return Credentials.mask(msg.lines().findFirst().orElse(msg));
    }

    static int exitCode(Throwable e) {
        return e instanceof ConfigException || e instanceof IllegalArgumentException ? 2 : 1;
    }
}
