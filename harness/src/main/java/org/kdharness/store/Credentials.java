package org.kdharness.store;

import java.util.regex.Pattern;

/**
 * Masks credentials in anything printed or stored: JDBC URLs and the messages drivers
 * build from them.
 *
 * <p>Why one function: a store URL travels into the run's first lines, error messages
 * (ours and the driver's), logs and reports; masking at each print site would miss one.
 * Every {@code password=...} parameter (H2's {@code ;PASSWORD=}, PostgreSQL's
 * {@code ?password=} or {@code &password=}) and the password of a
 * {@code //user:password@host} authority become {@code ***}.
 */
public final class Credentials {

    /** Group 1: what precedes the password; group 2: the password (group 3 of the authority: what follows it). */
    private static final Pattern PARAMETER = Pattern.compile("(?i)(password\\s*=\\s*)([^;&\\s'\"]*)");
    private static final Pattern AUTHORITY = Pattern.compile("(//[^/:@\\s]+:)([^@/\\s]*)(@)");

    private Credentials() {
    }

    /**
     * {@code url} with every password replaced by {@code replacement} (e.g. a shell variable
     * reference, for a script that must not hold the password itself).
     */
    public static String replacePassword(String url, String replacement) {
        String r = java.util.regex.Matcher.quoteReplacement(replacement);
        return AUTHORITY.matcher(PARAMETER.matcher(url).replaceAll("$1" + r)).replaceAll("$1" + r + "$3");
    }

    /** The first password {@code url} carries, or null. */
    public static String password(String url) {
        java.util.regex.Matcher p = PARAMETER.matcher(url);
        if (p.find()) {
            return p.group(2);
        }
        java.util.regex.Matcher a = AUTHORITY.matcher(url);
        return a.find() ? a.group(2) : null;
    }

    /** Whether {@code url} carries a password. */
    public static boolean hasPassword(String url) {
        return url != null && !mask(url).equals(url);
    }

    /** {@code text} with every password replaced by {@code ***}; null stays null. */
    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        return AUTHORITY.matcher(PARAMETER.matcher(text).replaceAll("$1***")).replaceAll("$1***$3");
    }
}
