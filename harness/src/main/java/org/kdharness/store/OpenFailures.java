package org.kdharness.store;

import java.sql.SQLException;

/**
 * Reading why opening a store failed: the line a person needs from a driver's report, and whether
 * the failure is another worker's race for an H2 file (worth a retry) rather than a real fault.
 */
final class OpenFailures {

    private OpenFailures() {
    }

    /**
     * The first line of the driver's own message: Flyway wraps the reason (a wrong
     * password, a database in use) in multi-line reports.
     */
    static String rootCause(Throwable e) {
        Throwable root = e;
        // the driver's SQLException says it best ("Database may be already in use", "Wrong user name or password");
        // below it are storage internals ("The file is locked")
        while (!(root instanceof SQLException) && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.toString() : root.getMessage();
        return m.lines().findFirst().orElse(m).strip();
    }

    static boolean isLockRace(Throwable e) {
        return isLockRace(e, true);
    }

    /** @param foldersExist whether the store's folders exist (only then is a failure to create one a race) */
    static boolean isLockRace(Throwable e, boolean foldersExist) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            // "Concurrent update": two workers started together both creating the same new H2 file;
            // "Another process was faster": both starting H2's AUTO_SERVER for it at once
            // "Error while creating file": H2 creating a folder another worker created at the same moment (a folder
            // that cannot be created is no race: createFolders has left it missing, and H2's error stands)
            if (m.contains("Lock file recently modified") || m.contains("Database may be already in use")
                    || m.contains("Error while creating file") && foldersExist
                    || m.contains("Connection is broken") || m.contains("Concurrent update")
                    || m.contains("Another process was faster")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Creates an H2 file store's folders first: {@code Files.createDirectories} tolerates another process creating
     * them at the same moment, where H2's own creation fails (workers started together on a fresh reports folder).
     *
     * @return whether the folders exist now (always true for other databases)
     */
    static boolean createFolders(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:h2:file:")) {
            return true;
        }
        String file = jdbcUrl.substring("jdbc:h2:file:".length()).split(";")[0];
        if (file.startsWith("~")) {
            file = System.getProperty("user.home") + file.substring(1); // as H2 expands it
        }
        try {
            java.nio.file.Path parent = java.nio.file.Path.of(file).getParent();
            if (parent != null) {
                java.nio.file.Files.createDirectories(parent);
            }
            return true;
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return false; // H2 then reports what is wrong with the path, in its own words
        }
    }
}
