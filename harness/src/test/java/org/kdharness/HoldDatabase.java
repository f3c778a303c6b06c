package org.kdharness;

import java.sql.Connection;
import java.sql.DriverManager;

/** Test helper process: opens an H2 file without AUTO_SERVER (locking it), prints "holding", then waits. */
public final class HoldDatabase {

    private HoldDatabase() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], "sa", "")) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS held(i INT)");
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
