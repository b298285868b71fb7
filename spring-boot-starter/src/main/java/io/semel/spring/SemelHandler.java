package io.semel.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the application's work for one topic and consumer group. The starter builds one
 * exactly-once processor per (topic, group) and runs it while the application runs.
 *
 * <p>On a bean class that implements {@link io.semel.processor.Handler}, or on a method of any bean
 * with the parameters {@code (ProcessorMessage, ProcessorTransaction)} returning {@code void}:
 *
 * <pre>{@code
 * @Component
 * class Deposits {
 *     @SemelHandler(topic = "deposits", group = "bank")
 *     void apply(ProcessorMessage m, ProcessorTransaction tx) throws SQLException { ...tx.connection()... }
 * }
 * }</pre>
 *
 * The method runs inside the processor's store transaction (see {@link io.semel.processor.Handler}):
 * its SQL on {@code tx.connection()} and its {@code tx.send} commit with the inbox record and the
 * position, or not at all; it may run more than once for one message, so it must have no effects
 * outside the transaction.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SemelHandler {
    /** The topic to consume. */
    String topic();

    /** The consumer group (on Kafka: the Kafka group). */
    String group();

    /**
     * The inbox and position owner in the store; keep it stable across restarts. Empty (default):
     * the group name.
     */
    String consumer() default "";
}
