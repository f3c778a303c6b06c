package org.kdharness.config;

/**
 * A sweep config that cannot be run, with the file, line and field at fault.
 *
 * <p>Why: configs are written by hand late in the day; an error must say exactly where
 * to look, and is raised before anything is written to the store.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final int line;
    private final String field;

    public ConfigException(String file, int line, String field, String message) {
        super(format(file, line, field, message));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    private static String format(String file, int line, String field, String message) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        if (field != null && !field.isEmpty()) {
            sb.append(": ").append(field);
        }
        return sb.append(": ").append(message).toString();
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String field() {
        return field;
    }
}
