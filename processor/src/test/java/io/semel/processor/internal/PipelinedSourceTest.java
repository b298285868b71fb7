package io.semel.processor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.semel.processor.Source;
import io.semel.processor.SourceMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The source thread's poll ahead, against a source that behaves like a broker at its unacked limit. */
class PipelinedSourceTest {

    @Test
    void aPollAheadWhileTheProcessorIsBusyDoesNotWaitSoItCannotHoldUpTheAck() throws Exception {
        AtLimitSource source = new AtLimitSource();
        PipelinedSource pipelined = new PipelinedSource(source, "c", Duration.ofMillis(200));
        pipelined.start();
        try {
            List<SourceMessage> batch = pipelined.poll(Duration.ofSeconds(10));
            assertThat(batch).hasSize(1);
            // The processor is busy with the batch now: the source thread polls ahead once.
            await().atMost(Duration.ofSeconds(10)).until(() -> source.calls().size() >= 2);
            pipelined.ack(batch);
            await().atMost(Duration.ofSeconds(10)).until(() -> source.calls().contains("ack"));
            List<String> calls = source.calls();
            // The first poll waits (200) if the processor was already in poll() when the thread started, else
            // it is a poll ahead (0): a race of start() with the processor's first poll, and either delivers.
            assertThat(calls.get(0)).isIn("poll 200", "poll 0");
            // A waiting poll here would hold the queued ack for its whole timeout: at the unacked limit
            // nothing can arrive before the ack, which only this thread sends.
            assertThat(calls.get(1)).as("the poll ahead while the processor is busy").isEqualTo("poll 0");
            assertThat(calls.get(2)).isEqualTo("ack");
        } finally {
            pipelined.close();
        }
    }

    /** Delivers one message, then nothing until it is acked; a poll waits out its timeout, as the broker's does. */
    private static final class AtLimitSource implements Source {
        private final List<String> calls = new ArrayList<>();
        private boolean delivered;

        synchronized List<String> calls() {
            return new ArrayList<>(calls);
        }

        @Override
        public List<SourceMessage> poll(Duration timeout) {
            synchronized (this) {
                calls.add("poll " + timeout.toMillis());
                if (!delivered) {
                    delivered = true;
                    return List.of(SourceMessage.of("t", 0, 0, 1, 1, null, new byte[0], List.of(), 0));
                }
            }
            try {
                Thread.sleep(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }

        @Override
        public synchronized int ack(List<SourceMessage> messages) {
            calls.add("ack");
            return messages.size();
        }

        @Override
        public void nack(SourceMessage message, String errorText) {
        }

        @Override
        public long redeliveryHorizonMs() {
            return 1_000;
        }

        @Override
        public boolean isLastDelivery(SourceMessage message) {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
