package org.imdp.test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.imdp.store.StoreDatabase;

/** Reads the embedded store of a running (or stopped) service from the outside: its SQLite file in the data directory. */
public final class StoreFile {

    private StoreFile() {
    }

    /** Messages stored for {@code recipient} (canonical form) in the embedded store of {@code dataDir}. */
    public static long storedFor(Path dataDir, String recipient) throws SQLException {
        return count(dataDir, "SELECT count(*) FROM deferred_message WHERE recipient = ?", recipient);
    }

    /** Messages stored for anyone, counted row by row. */
    public static long storedMessages(Path dataDir) throws SQLException {
        return count(dataDir, "SELECT count(*) FROM deferred_message");
    }

    /** Recipients with messages stored, counted row by row. */
    public static long recipients(Path dataDir) throws SQLException {
        return count(dataDir, "SELECT count(DISTINCT recipient) FROM deferred_message");
    }

    private static long count(Path dataDir, String sql, String... params) throws SQLException {
        java.util.Properties wait = new java.util.Properties();
        // the service may be writing: wait for its lock instead of failing
        wait.setProperty("busy_timeout", "10000");
        try (Connection c = DriverManager.getConnection(StoreDatabase.embeddedUrl(dataDir), wait);
             PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                q.setString(i + 1, params[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
