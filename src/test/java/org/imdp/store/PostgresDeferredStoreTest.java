package org.imdp.store;

import org.imdp.test.peers.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store on PostgreSQL, the production database: a real server started for this class. */
class PostgresDeferredStoreTest extends DeferredStoreContract {

    private static PostgresServer postgres;

    @BeforeAll
    static void startPostgres() {
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    String newStoreUrl() {
        return postgres.newDatabase();
    }
}
