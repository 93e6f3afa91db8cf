package org.imdp.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store on its embedded default: an SQLite file in the data directory. */
class SqliteDeferredStoreTest extends DeferredStoreContract {

    @Override
    String newStoreUrl() {
        return "";
    }

    @Test
    void a_store_url_of_another_database_stops_the_start_naming_the_key() {
        StoreDatabase mysql = new StoreDatabase("jdbc:mysql://db.example.com/imdp", "", "", dataDir, 2);
        assertThatThrownBy(mysql::start).hasMessageContaining("imdp.store.url").hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void an_unreachable_postgresql_stops_the_start_with_the_drivers_reason() {
        StoreDatabase nowhere = new StoreDatabase("jdbc:postgresql://127.0.0.1:9/imdp", "imdp", "secret", dataDir, 2);
        assertThatThrownBy(nowhere::start).hasStackTraceContaining("Connection to 127.0.0.1:9 refused");
    }

    @Test
    void the_embedded_store_is_one_file_in_the_data_directory_written_durably() throws Exception {
        assertThat(database.url()).isEqualTo("jdbc:sqlite:" + dataDir.resolve(StoreDatabase.EMBEDDED_FILE).toAbsolutePath());
        assertThat(dataDir.resolve(StoreDatabase.EMBEDDED_FILE)).exists();
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
            // 2 = FULL: the WAL is synced at every commit, so a commit survives a power cut
            try (ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            // no commit checkpoints: the background checkpoint does
            try (ResultSet rs = s.executeQuery("PRAGMA wal_autocheckpoint")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void the_background_checkpoint_moves_what_was_committed_into_the_database_file() throws Exception {
        java.nio.file.Path file = dataDir.resolve(StoreDatabase.EMBEDDED_FILE);
        long before = java.nio.file.Files.size(file);
        for (int i = 0; i < 300; i++) {
            store.store(message("w" + i, "sip:user" + (i % 100) + "@example.com", "x".repeat(900)));
        }
        // commits land in the WAL; only a checkpoint writes them into store.db
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> java.nio.file.Files.size(file) > before + 250_000);
    }
}
