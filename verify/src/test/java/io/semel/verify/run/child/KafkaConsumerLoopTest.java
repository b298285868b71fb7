package io.semel.verify.run.child;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.requests.CorrelationIdMismatchException;
import org.junit.jupiter.api.Test;

/** The plain consumer's choice after a failed poll ({@link KafkaConsumerLoop#unusable}): restart, or poll again. */
class KafkaConsumerLoopTest {
    @Test
    void aCorrelationIdMismatchMakesTheConsumerRestartNotPollAgain() {
        // Run seed 961441: after it the consumer's heartbeat thread was dead and it never rejoined; polling again
        // left its partitions unprocessed to the end of the run.
        assertThat(KafkaConsumerLoop.unusable(new CorrelationIdMismatchException("dropped reply", 7, 8))).isTrue();
    }

    @Test
    void failuresTheConsumerRecoversFromByItselfArePolledPast() {
        assertThat(KafkaConsumerLoop.unusable(new DisconnectException("node gone"))).isFalse();
        assertThat(KafkaConsumerLoop.unusable(new TimeoutException("no coordinator"))).isFalse();
    }
}
