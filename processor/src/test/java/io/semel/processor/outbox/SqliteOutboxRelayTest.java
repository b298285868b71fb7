package io.semel.processor.outbox;

import io.semel.processor.store.JdbcStore;

class SqliteOutboxRelayTest extends OutboxRelayContractTest {
    private int stores;

    @Override
    protected JdbcStore openStore() {
        return JdbcStore.sqlite(dir.resolve("store-" + (stores++) + ".db"));
    }

    @Override
    protected JdbcStore openFreshStore() {
        return openStore();
    }
}
