package io.semel.log.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.log.AppendRejectedException;
import io.semel.log.Storage;
import io.semel.log.StorageFile;
import io.semel.protocol.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProducerRegistryTest {
    private final InMemoryTestStorage storage = new InMemoryTestStorage();

    private ProducerRegistry open(Storage s) throws IOException {
        return ProducerRegistry.open(s, ProducerRegistry.PRODUCERS_MAX_DEFAULT);
    }

    @Test
    void firstInitGivesSequentialIdsFromZeroAndEpochZero() throws IOException {
        ProducerRegistry registry = open(storage);
        assertThat(registry.initProducer("relay-a")).isEqualTo(new ProducerRegistry.InitResult(0, (short) 0));
        assertThat(registry.initProducer("relay-b")).isEqualTo(new ProducerRegistry.InitResult(1, (short) 0));
        assertThat(registry.currentEpoch(1)).isZero();
        assertThat(registry.isKnown(1)).isTrue();
        assertThat(registry.size()).isEqualTo(2);
    }

    @Test
    void initAgainKeepsTheIdAndBumpsTheEpoch() throws IOException {
        ProducerRegistry registry = open(storage);
        registry.initProducer("relay-a");
        registry.initProducer("relay-b");
        assertThat(registry.initProducer("relay-a")).isEqualTo(new ProducerRegistry.InitResult(0, (short) 1));
        assertThat(registry.initProducer("relay-a")).isEqualTo(new ProducerRegistry.InitResult(0, (short) 2));
        assertThat(registry.currentEpoch(0)).isEqualTo((short) 2);
        assertThat(registry.lookup("relay-a")).contains(new ProducerRegistry.Entry("relay-a", 0, (short) 2));
    }

    @Test
    void unknownProducerHasEpochMinusOne() throws IOException {
        ProducerRegistry registry = open(storage);
        assertThat(registry.currentEpoch(0)).isEqualTo((short) -1);
        assertThat(registry.durableEpoch(0)).isEqualTo((short) -1);
        assertThat(registry.isKnown(0)).isFalse();
        assertThat(registry.lookup("nobody")).isEmpty();
    }

    @Test
    void everyInitIsDurableWhenItReturns() throws IOException {
        ProducerRegistry registry = open(storage);
        registry.initProducer("relay-a");
        registry.initProducer("relay-b");
        registry.initProducer("relay-a");

        assertThat(registry.durableEpoch(0)).isEqualTo((short) 1);
        ProducerRegistry reopened = open(storage.afterCrash());
        assertThat(reopened.durableEpoch(0)).as("lock-free view loaded at open").isEqualTo((short) 1);
        assertThat(reopened.durableEpoch(1)).isZero();
        assertThat(reopened.lookup("relay-a")).contains(new ProducerRegistry.Entry("relay-a", 0, (short) 1));
        assertThat(reopened.lookup("relay-b")).contains(new ProducerRegistry.Entry("relay-b", 1, (short) 0));
        assertThat(reopened.initProducer("relay-c").producerId()).isEqualTo(2);
        assertThat(reopened.initProducer("relay-a")).isEqualTo(new ProducerRegistry.InitResult(0, (short) 2));
    }

    @Test
    void corruptRegistryFileIsAnIOExceptionAtOpen() throws IOException {
        ProducerRegistry registry = open(storage);
        registry.initProducer("relay-a");
        registry.initProducer("relay-b");
        byte[] good = storage.bytes(ProducerRegistry.FILE_NAME);
        List<byte[]> bad = new ArrayList<>();
        for (int i = 0; i < good.length; i++) {
            byte[] flipped = good.clone();
            flipped[i] ^= 0x10;
            bad.add(flipped);
            bad.add(Arrays.copyOf(good, i));
        }
        for (byte[] b : bad) {
            storage.put(ProducerRegistry.FILE_NAME, b);
            assertThatThrownBy(() -> open(storage)).isExactlyInstanceOf(IOException.class)
                    .hasMessageContaining("producers.registry is corrupt")
                    .hasMessageContaining("restore it from a backup");
        }
    }

    @Test
    void nameMustBeOneTo249BytesOfPrintableUtf8() throws IOException {
        ProducerRegistry registry = open(storage);
        String twoByte = "\u00e9";
        for (String bad : List.of("", "a".repeat(250), twoByte.repeat(125), "a\nb", "tab\there", "zero\u200bwidth",
                "lone\ud800surrogate")) {
            assertThatThrownBy(() -> registry.initProducer(bad)).isInstanceOf(AppendRejectedException.class)
                    .satisfies(e -> assertThat(((AppendRejectedException) e).errorCode())
                            .isEqualTo(ErrorCode.INVALID_REQUEST));
        }
        assertThat(registry.size()).isZero();
        registry.initProducer("a".repeat(249));
        registry.initProducer(twoByte.repeat(124) + "a");
        registry.initProducer("orders relay #1 \u65e5\u672c");
        assertThat(open(storage.afterCrash()).size()).isEqualTo(3);
    }

    @Test
    void epochPastShortMaxIsIllegalStateException() throws IOException {
        ProducerRegistry registry = open(storage);
        for (int i = 0; i <= Short.MAX_VALUE; i++) {
            registry.initProducer("busy");
        }
        assertThat(registry.currentEpoch(0)).isEqualTo(Short.MAX_VALUE);
        assertThatThrownBy(() -> registry.initProducer("busy")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("epoch 32767").hasMessageContaining("new producer name");
        assertThat(registry.currentEpoch(0)).isEqualTo(Short.MAX_VALUE);
    }

    @Test
    void newNameBeyondTheLimitIsTooManyProducers() throws IOException {
        ProducerRegistry registry = ProducerRegistry.open(storage, 2);
        registry.initProducer("a");
        registry.initProducer("b");
        assertThatThrownBy(() -> registry.initProducer("c")).isInstanceOf(AppendRejectedException.class)
                .hasMessageContaining("2 producer names registered, the limit (producersMax) is 2")
                .satisfies(e -> assertThat(((AppendRejectedException) e).errorCode())
                        .isEqualTo(ErrorCode.TOO_MANY_PRODUCERS));
        assertThat(registry.initProducer("a").epoch()).isEqualTo((short) 1);
    }

    @Test
    void failedPersistLeavesTheRegistryAsBefore() throws IOException {
        FailingStorage failing = new FailingStorage(storage);
        ProducerRegistry registry = open(failing);
        registry.initProducer("a");
        failing.failSync = true;
        assertThatThrownBy(() -> registry.initProducer("a")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> registry.initProducer("b")).isInstanceOf(IOException.class);
        failing.failSync = false;

        assertThat(registry.currentEpoch(0)).isZero();
        assertThat(registry.durableEpoch(0)).as("an epoch that was not persisted is never visible").isZero();
        assertThat(registry.durableEpoch(1)).isEqualTo((short) -1);
        assertThat(registry.lookup("b")).isEmpty();
        assertThat(registry.initProducer("c").producerId()).isEqualTo(1);
        assertThat(registry.initProducer("a").epoch()).isEqualTo((short) 1);
    }

    @Test
    void concurrentInitsGetDistinctIds() throws Exception {
        ProducerRegistry registry = open(storage);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    ids.add(registry.initProducer("p-" + thread + "-" + i).producerId());
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(ids).hasSize(200).allMatch(id -> id >= 0 && id < 200);
        assertThat(open(storage.afterCrash()).size()).isEqualTo(200);
    }

    /** Delegates to a storage; can fail directory syncs, as a full or failing disk would. */
    private static final class FailingStorage implements Storage {
        private final Storage delegate;
        volatile boolean failSync;

        FailingStorage(Storage delegate) {
            this.delegate = delegate;
        }

        @Override
        public StorageFile open(String name) throws IOException {
            return delegate.open(name);
        }

        @Override
        public boolean exists(String name) throws IOException {
            return delegate.exists(name);
        }

        @Override
        public List<String> list() throws IOException {
            return delegate.list();
        }

        @Override
        public void delete(String name) throws IOException {
            delegate.delete(name);
        }

        @Override
        public void rename(String from, String to) throws IOException {
            delegate.rename(from, to);
        }

        @Override
        public void syncDirectory() throws IOException {
            if (failSync) {
                throw new IOException("injected: directory sync failed");
            }
            delegate.syncDirectory();
        }
    }
}
