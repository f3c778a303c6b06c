package org.kdharness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * Test helper process: opens an H2 file (without AUTO_SERVER it locks it; with it, this process serves it to the
 * others), prints "holding", then waits: two minutes, or, given a second argument, until that file exists, and then
 * exits without closing, as a worker whose share of a sweep is done exits under the others.
 */
public final class HoldDatabase {

    private HoldDatabase() {
    }

    public static void main(String[] args) throws Exception {
        Connection c = DriverManager.getConnection(args[0], "sa", "");
        if (args.length == 1) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS held(i INT)"); // a written file (a served one is the store's to create)
        }
        System.out.println("holding");
        System.out.flush();
        long end = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < end && !(args.length > 1 && Files.exists(Path.of(args[1])))) {
            Thread.sleep(20);
        }
        System.exit(0); // H2's shutdown hook closes the database, under any other process's session
    }
}
