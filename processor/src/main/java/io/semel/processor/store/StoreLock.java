package io.semel.processor.store;

/** A named lock held across processes until {@link #close()}; see {@link JdbcStore#tryLockExclusive}. */
public interface StoreLock extends AutoCloseable {

    /** Releases the lock. Idempotent. */
    @Override
    void close();
}
