package io.semel.spring;

import io.semel.processor.ProcessingMode;
import io.semel.processor.RedeliverySettings;

/**
 * {@code semel.processor.*}: applied to every processor the starter builds (one per handler's topic
 * and group). The {@code broker-*} values must equal the Semel broker's group settings: the broker
 * does not report them, and they decide the redelivery horizon that the inbox retention must exceed.
 */
public class ProcessorSettings {
    /** Whether processors are built for the handlers found. */
    private boolean enabled = true;

    /** Messages per receive transaction, 1..10000. */
    private int batchSize = 500;

    /** TRANSACTIONAL (handle inside the receive transaction) or STORE_THEN_PROCESS. */
    private ProcessingMode mode = ProcessingMode.TRANSACTIONAL;

    /** Worker threads per processor, STORE_THEN_PROCESS only. */
    private int concurrency = 1;

    /** STORE_THEN_PROCESS: failed attempts before a row is parked. */
    private int processAttemptsMax = 5;

    /** How long processed inbox rows are kept for dedup, ms; must exceed the redelivery horizon. Default 7 days. */
    private long inboxRetentionMs = 7L * 24 * 60 * 60 * 1000;

    /** How often inbox retention runs, ms. */
    private long cleanupIntervalMs = 60_000;

    /** How long each poll waits for messages, ms; also bounds how long a graceful stop waits for the poll. */
    private long pollTimeoutMs = 200;

    /** Semel source: the consumer's group session timeout, ms (the broker expires a silent member after it). */
    private int sessionTimeoutMs = 30_000;

    /** Semel source: the broker's group ackTimeoutMs. */
    private long brokerAckTimeoutMs = 30_000;

    /** Semel source: the broker's group maxDeliveries. */
    private int brokerMaxDeliveries = 5;

    /** Semel source: the broker's group nackBackoffMaxMs. */
    private long brokerNackBackoffMaxMs = 10_000;

    /** The broker group settings above, as the processor's source takes them. */
    public RedeliverySettings redelivery() {
        return new RedeliverySettings(brokerAckTimeoutMs, brokerMaxDeliveries, brokerNackBackoffMaxMs);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public ProcessingMode getMode() {
        return mode;
    }

    public void setMode(ProcessingMode mode) {
        this.mode = mode;
    }

    public int getConcurrency() {
        return concurrency;
    }

    public void setConcurrency(int concurrency) {
        this.concurrency = concurrency;
    }

    public int getProcessAttemptsMax() {
        return processAttemptsMax;
    }

    public void setProcessAttemptsMax(int processAttemptsMax) {
        this.processAttemptsMax = processAttemptsMax;
    }

    public long getInboxRetentionMs() {
        return inboxRetentionMs;
    }

    public void setInboxRetentionMs(long inboxRetentionMs) {
        this.inboxRetentionMs = inboxRetentionMs;
    }

    public long getCleanupIntervalMs() {
        return cleanupIntervalMs;
    }

    public void setCleanupIntervalMs(long cleanupIntervalMs) {
        this.cleanupIntervalMs = cleanupIntervalMs;
    }

    public long getPollTimeoutMs() {
        return pollTimeoutMs;
    }

    public void setPollTimeoutMs(long pollTimeoutMs) {
        this.pollTimeoutMs = pollTimeoutMs;
    }

    public int getSessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    public void setSessionTimeoutMs(int sessionTimeoutMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    public long getBrokerAckTimeoutMs() {
        return brokerAckTimeoutMs;
    }

    public void setBrokerAckTimeoutMs(long brokerAckTimeoutMs) {
        this.brokerAckTimeoutMs = brokerAckTimeoutMs;
    }

    public int getBrokerMaxDeliveries() {
        return brokerMaxDeliveries;
    }

    public void setBrokerMaxDeliveries(int brokerMaxDeliveries) {
        this.brokerMaxDeliveries = brokerMaxDeliveries;
    }

    public long getBrokerNackBackoffMaxMs() {
        return brokerNackBackoffMaxMs;
    }

    public void setBrokerNackBackoffMaxMs(long brokerNackBackoffMaxMs) {
        this.brokerNackBackoffMaxMs = brokerNackBackoffMaxMs;
    }
}
