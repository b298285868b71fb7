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
        assertThat(registry.lookup("relay-a").map(ProducerRegistryTest::key)).contains("relay-a/0/2");
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
        assertThat(reopened.lookup("relay-a").map(ProducerRegistryTest::key)).contains("relay-a/0/1");
        assertThat(reopened.lookup("relay-b").map(ProducerRegistryTest::key)).contains("relay-b/1/0");
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
    private static String key(ProducerRegistry.Entry e) {
        return e.name() + "/" + e.producerId() + "/" + e.epoch();
    }

    /** A wall clock the test moves. */
    private static final class TestClock extends java.time.Clock {
        long millis = 1_000_000;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static final long DAY_MS = 24L * 60 * 60 * 1000;
    private final TestClock clock = new TestClock();

    private ProducerRegistry openWithClock(Storage s, int max) throws IOException {
        return ProducerRegistry.open(s, max, clock);
    }

    private static ErrorCode code(Throwable e) {
        return ((AppendRejectedException) e).errorCode();
    }

    @Test
    void aRetriedInitOfTheSameInstanceGetsTheSameEpochInsteadOfFencingItself() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 10);
        ProducerRegistry.InitResult first = registry.initProducer("relay", 0xA1);
        assertThat(registry.initProducer("relay", 0xA1)).isEqualTo(first);
        assertThat(registry.durableEpoch(first.producerId())).isEqualTo(first.epoch());
        // And after a restart of the broker: the token is durable.
        assertThat(openWithClock(storage.afterCrash(), 10).initProducer("relay", 0xA1)).isEqualTo(first);
    }

    @Test
    void aLateInitOfAReplacedInstanceIsFencedAndDoesNotBumpTheEpoch() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 10);
        registry.initProducer("relay", 0xA1);
        ProducerRegistry.InitResult newer = registry.initProducer("relay", 0xB2);
        assertThat(newer.epoch()).isEqualTo((short) 1);
        assertThatThrownBy(() -> registry.initProducer("relay", 0xA1)).isInstanceOf(AppendRejectedException.class)
                .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.PRODUCER_FENCED))
                .hasMessageContaining("arrived late");
        assertThat(registry.currentEpoch(newer.producerId())).isEqualTo(newer.epoch());
        // A genuinely new instance still fences the current one.
        assertThat(registry.initProducer("relay", 0xC3).epoch()).isEqualTo((short) 2);
        assertThat(registry.initProducer("relay").epoch()).as("no token: always new").isEqualTo((short) 3);
    }

    @Test
    void anIdleProducerExpiresDurablyAndIsRemovedAfterTwiceTheExpiry() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 10);
        long id = registry.initProducer("cli-once", 1).producerId();
        clock.millis += 7 * DAY_MS - 1;
        assertThat(registry.expireIdle(7 * DAY_MS)).isEmpty();
        clock.millis += 1;
        assertThat(registry.expireIdle(7 * DAY_MS)).containsExactly(id);
        assertThat(registry.durableEpoch(id)).isEqualTo(ProducerRegistry.EPOCH_EXPIRED);

        InMemoryTestStorage crashed = storage.afterCrash();
        ProducerRegistry reopened = openWithClock(crashed, 10);
        assertThat(reopened.durableEpoch(id)).as("expiry is durable").isEqualTo(ProducerRegistry.EPOCH_EXPIRED);
        assertThat(reopened.lookup("cli-once").orElseThrow().expired()).isTrue();
        assertThatThrownBy(() -> reopened.join("cli-once", (short) 0))
                .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.DEDUP_STATE_UNKNOWN));
        clock.millis += 7 * DAY_MS;
        assertThat(reopened.expireIdle(7 * DAY_MS)).containsExactly(id);
        assertThat(reopened.durableEpoch(id)).isEqualTo((short) -1);
        assertThat(openWithClock(crashed.afterCrash(), 10).size()).isZero();
    }

    @Test
    void namesTheCallerExemptsNeverExpire() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 10);
        long internal = registry.initProducer("semel.dlq.billing", 1).producerId();
        long user = registry.initProducer("job", 2).producerId();
        clock.millis += 30 * DAY_MS;
        assertThat(registry.expireIdle(7 * DAY_MS, n -> !n.startsWith("semel.dlq."))).containsExactly(user);
        assertThat(registry.durableEpoch(internal)).isZero();
    }

    @Test
    void activityPostponesExpiryAndIsPersistedByTheExpiryPass() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 10);
        long id = registry.initProducer("busy", 1).producerId();
        clock.millis += 5 * DAY_MS;
        registry.recordActivity(id);
        assertThat(registry.expireIdle(7 * DAY_MS)).isEmpty();
        long persisted = clock.millis;
        clock.millis += 3 * DAY_MS;
        ProducerRegistry reopened = openWithClock(storage.afterCrash(), 10);
        assertThat(reopened.lookup("busy").orElseThrow().lastActiveMs()).isEqualTo(persisted);
        assertThat(reopened.expireIdle(7 * DAY_MS)).isEmpty();
        clock.millis += 4 * DAY_MS;
        assertThat(reopened.expireIdle(7 * DAY_MS)).containsExactly(id);
    }

    @Test
    void expiredNamesDoNotCountTowardsTheLimitAndStartAFreshEpochWhenInitialisedAgain() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 1);
        ProducerRegistry.InitResult old = registry.initProducer("a", 1);
        assertThatThrownBy(() -> registry.initProducer("b", 2))
                .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOO_MANY_PRODUCERS))
                .hasMessageContaining("semel producers remove");
        clock.millis += DAY_MS;
        registry.expireIdle(DAY_MS);
        assertThat(registry.initProducer("b", 2).producerId()).isEqualTo(old.producerId() + 1);
        // "a" again: same id, next epoch (its old instance is fenced), but now the limit is reached.
        assertThatThrownBy(() -> registry.initProducer("a", 3))
                .satisfies(e -> assertThat(code(e)).isEqualTo(ErrorCode.TOO_MANY_PRODUCERS));
        registry.release("b", (short) -1);
        ProducerRegistry.InitResult again = registry.initProducer("a", 3);
        assertThat(again).isEqualTo(new ProducerRegistry.InitResult(old.producerId(), (short) 1));
        assertThat(registry.durableEpoch(old.producerId())).isEqualTo((short) 1);
    }

    @Test
    void releaseIsIdempotentAndLeavesANewerInstanceAlone() throws IOException {
        ProducerRegistry registry = openWithClock(storage, 10);
        ProducerRegistry.InitResult first = registry.initProducer("p", 1);
        registry.initProducer("p", 2); // epoch 1
        assertThat(registry.release("p", first.epoch()).outcome())
                .isEqualTo(ProducerRegistry.ReleaseOutcome.HELD_BY_NEWER_INSTANCE);
        assertThat(registry.release("p", (short) 1))
                .isEqualTo(new ProducerRegistry.Released(ProducerRegistry.ReleaseOutcome.RELEASED, first.producerId()));
        assertThat(registry.release("p", (short) 1).outcome()).isEqualTo(ProducerRegistry.ReleaseOutcome.NOT_REGISTERED);
        assertThat(registry.durableEpoch(first.producerId())).isEqualTo((short) -1);
        assertThat(openWithClock(storage.afterCrash(), 10).lookup("p")).isEmpty();
        // Ids are never reused: the name starts over with a new one.
        assertThat(registry.initProducer("p", 3).producerId()).isEqualTo(first.producerId() + 1);
    }

    @Test
    void aVersionOneRegistryFileStillLoadsWithActivityStartingAtOpen() throws IOException {
        byte[] name = "legacy".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(22 + 12 + name.length);
        b.putInt(0x53505247).putShort((short) 1).putInt(0).putLong(4).putInt(1);
        b.putLong(3).putShort((short) 6).putShort((short) name.length).put(name);
        byte[] bytes = b.array();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 10, bytes.length - 10);
        java.nio.ByteBuffer.wrap(bytes).putInt(6, (int) crc.getValue());
        storage.put(ProducerRegistry.FILE_NAME, bytes);

        ProducerRegistry registry = openWithClock(storage, 10);
        ProducerRegistry.Entry e = registry.lookup("legacy").orElseThrow();
        assertThat(e.producerId()).isEqualTo(3);
        assertThat(e.epoch()).isEqualTo((short) 6);
        assertThat(e.lastActiveMs()).isEqualTo(clock.millis);
        assertThat(registry.initProducer("legacy", 9)).isEqualTo(new ProducerRegistry.InitResult(3, (short) 7));
        assertThat(registry.initProducer("new", 9).producerId()).isEqualTo(4);
    }
}
