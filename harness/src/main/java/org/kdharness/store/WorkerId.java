package org.kdharness.store;

import java.net.InetAddress;

/**
 * Names a worker process as {@code host:pid}.
 *
 * <p>Why: a trial left {@code running} by a killed process must be re-run; when the
 * claiming worker ran on this host we can tell at once whether its process still lives.
 */
public final class WorkerId {

    private WorkerId() {
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    /** This process's id. */
    public static String current() {
        return host() + ":" + ProcessHandle.current().pid();
    }

    /** True when {@code worker} ran on {@code host} and its process no longer exists. */
    static boolean isDeadLocal(String worker, String host) {
        if (worker == null) {
            return true;
        }
        int cut = worker.lastIndexOf(':');
        if (cut < 0 || !worker.substring(0, cut).equals(host)) {
            return false;
        }
        try {
            long pid = Long.parseLong(worker.substring(cut + 1));
            return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
