package io.semel.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Settings under {@code semel.*}: where the source broker is, and the processor, relay and store
 * settings (each a nested group with its units in the names). Defaults are the library's; see
 * {@code docs/spring-boot.md}. Bound once at startup; not thread-safe while binding.
 */
@ConfigurationProperties(prefix = "semel")
public class SemelProperties {
    /** Which system the handlers consume from (and, by default, the relay publishes to). */
    public enum SourceKind {
        /** A Semel broker at {@code semel.broker}. */
        SEMEL,
        /** Apache Kafka at {@code semel.kafka.bootstrap-servers}; needs semel-kafka on the classpath. */
        KAFKA
    }

    /** The Semel broker, host:port (for example localhost:7471). Required when the source or the relay is SEMEL. */
    private String broker;

    /** User name for a broker with authentication on; set together with {@code semel.password}. */
    private String username;

    /** Password for a broker with authentication on. */
    private String password;

    /** Where handlers consume from: SEMEL (default) or KAFKA. */
    private SourceKind source = SourceKind.SEMEL;

    @NestedConfigurationProperty
    private final ProcessorSettings processor = new ProcessorSettings();

    @NestedConfigurationProperty
    private final RelaySettings relay = new RelaySettings();

    @NestedConfigurationProperty
    private final StoreSettings store = new StoreSettings();

    @NestedConfigurationProperty
    private final KafkaSettings kafka = new KafkaSettings();

    public String getBroker() {
        return broker;
    }

    public void setBroker(String broker) {
        this.broker = broker;
    }

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    public SourceKind getSource() {
        return source;
    }

    public void setSource(SourceKind source) {
        this.source = source;
    }

    public ProcessorSettings getProcessor() {
        return processor;
    }

    public RelaySettings getRelay() {
        return relay;
    }

    public StoreSettings getStore() {
        return store;
    }

    public KafkaSettings getKafka() {
        return kafka;
    }

    /**
     * The Semel broker address, or an error that says which setting to add.
     *
     * @param why what needs the broker, for the message
     */
    public String requireBroker(String why) {
        if (broker == null || broker.isBlank()) {
            throw new IllegalStateException("semel.broker is not set, but " + why + " needs a Semel broker; set "
                    + "semel.broker=host:port (for example localhost:7471)");
        }
        return broker;
    }
}
