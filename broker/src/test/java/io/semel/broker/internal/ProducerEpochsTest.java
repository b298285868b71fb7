package io.semel.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.semel.log.FileStorage;
import io.semel.log.producer.ProducerRegistry;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PRODUCE appends in a continuation of the epoch lookup, so a lookup must never complete later than the
 * next request's: pipelined batches of one connection would reach the partition out of order and be
 * answered OUT_OF_ORDER_SEQUENCE (seen after a broker power loss, when no epoch was cached yet).
 */
class ProducerEpochsTest {
    @TempDir
    Path dir;

    @Test
    void aLookupIsCompleteWhenItReturnsEvenForAProducerFirstSeenSinceTheRestart() throws Exception {
        ProducerRegistry before = ProducerRegistry.open(new FileStorage(dir), 10);
        long id = before.initProducer("orders-app").producerId();
        before.initProducer("orders-app");

        ProducerEpochs afterRestart = new ProducerEpochs(ProducerRegistry.open(new FileStorage(dir), 10));

        CompletableFuture<Short> epoch = afterRestart.currentEpoch(id);
        assertThat(epoch).isDone();
        assertThat(epoch.get()).isEqualTo((short) 1);
        assertThat(afterRestart.currentEpoch(99)).isCompletedWithValue((short) -1);
    }
}
