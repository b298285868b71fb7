package io.semel.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.protocol.ErrorCode;
import io.semel.protocol.Header;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GroupStateTest {
    private static final GroupConfig CONFIG = GroupConfig.builder()
            .ackTimeoutMs(1_000).maxDeliveries(3).sessionTimeoutMs(5_000).sessionTimeoutMinMs(1_000)
            .sessionTimeoutMaxMs(60_000).nackBackoffMs(100).nackBackoffMaxMs(1_000).maxUnackedPerMember(10)
            .build();

    private final Shell shell = new Shell(CONFIG, "orders", 6);
    private final TestLog log = new TestLog(6);

    private String join(String client, long nowMs) {
        Decision<MemberView> d = shell.run(shell.group.join(client, "orders", 0, nowMs));
        assertThat(d.error()).as(d.errorMessage()).isEqualTo(ErrorCode.NONE);
        return d.reply().memberId();
    }

    private List<Delivery> poll(String member, int max, long nowMs) {
        Decision<Deliveries> d = shell.run(shell.group.poll(member, max, nowMs, log));
        assertThat(d.error()).as(d.errorMessage()).isEqualTo(ErrorCode.NONE);
        return d.reply();
    }

    private ErrorCode ack(String member, Delivery d) {
        return ack(member, d.partition(), d.leaseEpoch(), d.offset());
    }

    private ErrorCode ack(String member, int partition, long epoch, long offset) {
        Decision<List<ErrorCode>> d = shell.run(shell.group.ack(member, List.of(new AckItem(partition, epoch, offset))));
        return d.reply().get(0);
    }

    private ErrorCode nack(String member, Delivery d, String error, long nowMs) {
        Decision<List<ErrorCode>> dec = shell.run(shell.group.nack(member,
                List.of(new NackItem(d.partition(), d.leaseEpoch(), d.offset(), error)), nowMs));
        return dec.reply().get(0);
    }

    private Map<String, List<Integer>> holdings() {
        Map<String, List<Integer>> out = new HashMap<>();
        for (int p = 0; p < shell.group.partitionCount(); p++) {
            int partition = p;
            shell.group.leaseHolder(p).ifPresent(m -> out.computeIfAbsent(m, k -> new java.util.ArrayList<>()).add(partition));
        }
        return out;
    }

    @Test
    void joinSpreadsPartitionsEvenlyAndAFourthMemberMovesOnlyOnePartition() {
        String a = join("app", 0);
        String b = join("app", 0);
        String c = join("app", 0);
        assertThat(a).isEqualTo("app-1");
        assertThat(holdings().values()).allSatisfy(ps -> assertThat(ps).hasSize(2));
        Map<String, List<Integer>> before = holdings();
        long[] epochsBefore = new long[6];
        for (int p = 0; p < 6; p++) {
            epochsBefore[p] = shell.group.leaseEpoch(p);
        }

        Decision<MemberView> d = shell.run(shell.group.join("app", "orders", 0, 0));

        Map<String, List<Integer>> after = holdings();
        assertThat(after.values().stream().map(List::size).sorted().collect(Collectors.toList()))
                .containsExactly(1, 1, 2, 2);
        int moved = 0;
        for (int p = 0; p < 6; p++) {
            if (shell.group.leaseEpoch(p) != epochsBefore[p]) {
                moved++;
                assertThat(shell.group.leaseEpoch(p)).isEqualTo(epochsBefore[p] + 1);
            }
        }
        assertThat(moved).isEqualTo(1);
        assertThat(d.reply().leaseEpochs()).hasSize(1);
        assertThat(d.records()).filteredOn(r -> r instanceof LeaseGranted).hasSize(1);
        assertThat(before.get(a)).containsAnyElementsOf(after.get(a));
        assertThat(List.of(a, b, c)).allSatisfy(m -> assertThat(after).containsKey(m));
    }

    @Test
    void memberExpiryOnTickMovesItsLeasesAndBumpsTheirEpochs() {
        String a = join("a", 0);
        String b = join("b", 0);
        List<Integer> bHeld = holdings().get(b);
        long epochBefore = shell.group.leaseEpoch(bHeld.get(0));

        shell.run(shell.group.heartbeat(a, 4_000));
        assertThat(shell.run(shell.group.tick(5_000)).reply()).isEmpty();
        Decision<List<String>> d = shell.run(shell.group.tick(5_001));

        assertThat(d.reply()).containsExactly(b);
        assertThat(holdings()).containsOnlyKeys(a);
        assertThat(holdings().get(a)).hasSize(6);
        assertThat(shell.group.leaseEpoch(bHeld.get(0))).isEqualTo(epochBefore + 1);
        assertThat(shell.run(shell.group.heartbeat(b, 5_002)).error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
    }

    @Test
    void deliveriesCarryCountOneThenTwoAfterAckTimeout() {
        String a = join("a", 0);
        log.append(0, 1);
        Delivery first = poll(a, 10, 0).get(0);
        assertThat(first.deliveryCount()).isEqualTo(1);
        assertThat(first.message().decoded().value()).asString().isEqualTo("p0-0");

        shell.run(shell.group.tick(999));
        assertThat(poll(a, 10, 999)).isEmpty();
        shell.run(shell.group.tick(1_000));
        List<Delivery> again = poll(a, 10, 1_000);

        assertThat(again).singleElement().satisfies(d -> {
            assertThat(d.offset()).isEqualTo(0);
            assertThat(d.deliveryCount()).isEqualTo(2);
        });
    }

    @Test
    void ackStopsRedelivery() {
        String a = join("a", 0);
        log.append(0, 2);
        List<Delivery> ds = poll(a, 10, 0);
        assertThat(ack(a, ds.get(0))).isEqualTo(ErrorCode.NONE);

        shell.run(shell.group.tick(5_000));
        List<Delivery> again = poll(a, 10, 5_000);

        assertThat(again).extracting(Delivery::offset).containsExactly(1L);
        assertThat(shell.group.ackFloor(0)).isEqualTo(1);
        assertThat(ack(a, ds.get(0))).as("ack of a settled offset is idempotent").isEqualTo(ErrorCode.NONE);
    }

    @Test
    void ackWithStaleLeaseEpochIsRejectedAndTheMessageGoesToTheNewOwner() {
        String a = join("a", 0);
        log.append(0, 1);
        Delivery old = poll(a, 10, 0).get(0);
        String b = join("b", 100);
        shell.run(shell.group.leave(a, 200));
        String c = join("c", 300);
        // a is gone; b or c holds partition 0 under a newer epoch.
        String owner = shell.group.leaseHolder(0).orElseThrow();
        assertThat(List.of(b, c)).contains(owner);

        assertThat(ack(a, old)).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
        assertThat(ack(owner, old)).as("owner quoting the old epoch").isEqualTo(ErrorCode.STALE_LEASE);
        assertThat(shell.group.ackFloor(0)).isZero();

        Delivery redelivered = poll(owner, 10, 400).stream().filter(d -> d.partition() == 0).findFirst().orElseThrow();
        assertThat(redelivered.offset()).isEqualTo(0);
        assertThat(redelivered.deliveryCount()).isEqualTo(2);
        assertThat(redelivered.leaseEpoch()).isGreaterThan(old.leaseEpoch());
        assertThat(ack(owner, redelivered)).isEqualTo(ErrorCode.NONE);
        assertThat(shell.group.ackFloor(0)).isEqualTo(1);
    }

    @Test
    void pausedMemberThatLostItsLeaseCannotSettleEvenAfterRejoining() {
        String a = join("a", 0);
        log.append(0, 1);
        Delivery old = poll(a, 10, 0).get(0);
        shell.run(shell.group.tick(6_000)); // a expires
        String a2 = join("a", 6_000);      // a comes back as a new member with a new lease

        assertThat(ack(a2, 0, old.leaseEpoch(), 0)).isEqualTo(ErrorCode.STALE_LEASE);
        assertThat(ack(a2, 0, shell.group.leaseEpoch(0), 0))
                .as("current epoch but the delivery was made under the old lease").isEqualTo(ErrorCode.STALE_LEASE);
        assertThat(shell.group.ackFloor(0)).isZero();
        assertThat(poll(a2, 10, 6_000)).singleElement().extracting(Delivery::deliveryCount).isEqualTo(2);
    }

    @Test
    void nackRedeliversAfterTheBackoffAndNotBefore() {
        String a = join("a", 0);
        log.append(0, 1);
        Delivery d1 = poll(a, 10, 0).get(0);
        assertThat(nack(a, d1, "boom", 50)).isEqualTo(ErrorCode.NONE);

        assertThat(poll(a, 10, 149)).isEmpty();
        Delivery d2 = poll(a, 10, 150).get(0);
        assertThat(d2.deliveryCount()).isEqualTo(2);

        // Second nack: backoff doubles (200 ms).
        nack(a, d2, "boom", 200);
        assertThat(poll(a, 10, 399)).isEmpty();
        assertThat(poll(a, 10, 400)).singleElement().extracting(Delivery::deliveryCount).isEqualTo(3);
    }

    @Test
    void nackPastMaxDeliveriesRequestsADeadLetterCopySettledOnlyOnConfirmation() {
        String a = join("a", 0);
        log.append(0, 1);
        long now = 0;
        Delivery d = poll(a, 10, now).get(0);
        for (int i = 0; i < 2; i++) {
            nack(a, d, "boom " + i, now);
            now += 1_000;
            d = poll(a, 10, now).get(0);
        }
        assertThat(d.deliveryCount()).isEqualTo(3);

        Decision<List<ErrorCode>> last = shell.run(shell.group.nack(a,
                List.of(new NackItem(0, d.leaseEpoch(), 0, "final failure")), now));

        DeadLetterRequest req = last.deadLetters().get(0);
        assertThat(last.deadLetters()).hasSize(1);
        assertThat(req.dlqTopic()).isEqualTo("orders.dlq");
        assertThat(req.headers()).containsExactly(
                Header.of("semel.dlq.reason", "max-deliveries-exceeded"),
                Header.of("semel.dlq.error", "final failure"),
                Header.of("semel.dlq.delivery-count", "3"),
                Header.of("semel.dlq.topic", "orders"),
                Header.of("semel.dlq.partition", "0"),
                Header.of("semel.dlq.offset", "0"),
                Header.of("semel.dlq.group", "g1"));
        assertThat(shell.group.ackFloor(0)).as("not settled before the copy is durable").isZero();
        assertThat(poll(a, 10, now + 60_000)).as("never delivered a fourth time").isEmpty();
        assertThat(ack(a, d)).as("withdrawn delivery").isEqualTo(ErrorCode.STALE_LEASE);

        Decision<Void> confirmed = shell.run(shell.group.deadLettered(0, 0));

        assertThat(confirmed.records()).containsExactly(new Settled(0, 0, GroupRecord.SettleReason.DEAD_LETTERED));
        assertThat(shell.group.ackFloor(0)).isEqualTo(1);
        assertThat(shell.run(shell.group.deadLettered(0, 0)).records()).as("idempotent").isEmpty();
    }

    @Test
    void ackTimeoutAtMaxDeliveriesDeadLettersWithAckTimeoutError() {
        String a = join("a", 0);
        log.append(0, 1);
        long now = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(poll(a, 10, now)).hasSize(1);
            now += 1_000;
            Decision<List<String>> tick = shell.run(shell.group.tick(now));
            if (i == 2) {
                assertThat(tick.deadLetters()).singleElement().extracting(DeadLetterRequest::error)
                        .isEqualTo(GroupState.ERROR_ACK_TIMEOUT);
            }
            shell.run(shell.group.heartbeat(a, now));
        }
        assertThat(shell.group.slotState(0, 0)).contains(SlotState.DEAD_LETTER_PENDING);
    }

    @Test
    void ackFloorAdvancesOverContiguousSettledOffsetsAndTheSettledSetStaysWithinTheWindow() {
        GroupConfig windowed = GroupConfig.builder().deliveryWindowMax(8).maxUnackedPerMember(100).build();
        Shell s = new Shell(windowed, "orders", 1);
        TestLog l = new TestLog(1).append(0, 100);
        String a = s.run(s.group.join("a", "orders", 0, 0)).reply().memberId();

        List<Delivery> ds = s.run(s.group.poll(a, 100, 0, l)).reply();
        assertThat(ds).as("window of 8 above the floor").hasSize(8);
        for (Delivery d : ds.subList(1, 8)) {
            s.run(s.group.ack(a, List.of(new AckItem(0, d.leaseEpoch(), d.offset()))));
        }
        assertThat(s.group.ackFloor(0)).isZero();
        assertThat(s.group.settledAboveFloor(0)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(s.run(s.group.poll(a, 100, 1, l)).reply()).as("window full while offset 0 is pending").isEmpty();

        s.run(s.group.ack(a, List.of(new AckItem(0, ds.get(0).leaseEpoch(), 0))));

        assertThat(s.group.ackFloor(0)).isEqualTo(8);
        assertThat(s.group.settledAboveFloor(0)).isEmpty();
        assertThat(s.run(s.group.poll(a, 100, 2, l)).reply()).extracting(Delivery::offset)
                .containsExactly(8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    }

    @Test
    void memberAtMaxUnackedGetsNothingMoreUntilItAcks() {
        String a = join("a", 0);
        log.appendAll(5);
        List<Delivery> first = poll(a, 100, 0);
        assertThat(first).hasSize(10);
        assertThat(poll(a, 100, 1)).isEmpty();
        ack(a, first.get(0));
        ack(a, first.get(1));
        assertThat(poll(a, 100, 2)).hasSize(2);
        assertThat(shell.group.unacked(a)).isEqualTo(10);
    }

    @Test
    void replayAfterRestartKeepsSettlementsRaisesEpochsAndRedeliversWithCountAtLeastTwo() {
        String a = join("a", 0);
        log.appendAll(4);
        List<Delivery> ds = poll(a, 10, 0);
        // Delivered p0: 0..3, p1: 0..3, p2: 0..1; ack even offsets and all of p1.
        for (Delivery d : ds) {
            if (d.offset() % 2 == 0 || d.partition() == 1) {
                ack(a, d);
            }
        }
        Map<Integer, Long> floors = new HashMap<>();
        Map<Integer, Object> settled = new HashMap<>();
        Map<Integer, Long> epochs = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            floors.put(p, shell.group.ackFloor(p));
            settled.put(p, shell.group.settledAboveFloor(p));
            epochs.put(p, shell.group.leaseEpoch(p));
        }

        shell.restart();

        assertThat(shell.group.memberIds()).isEmpty();
        for (int p = 0; p < 6; p++) {
            assertThat(shell.group.ackFloor(p)).isEqualTo(floors.get(p));
            assertThat(shell.group.settledAboveFloor(p)).isEqualTo(settled.get(p));
            assertThat(shell.group.leaseEpoch(p)).isEqualTo(epochs.get(p));
        }
        String a2 = join("a", 10);
        assertThat(a2).as("member ids are never reused").isNotEqualTo(a);
        for (int p = 0; p < 6; p++) {
            assertThat(shell.group.leaseEpoch(p)).isGreaterThan(epochs.get(p));
        }
        List<Delivery> after = poll(a2, 100, 10);
        List<Delivery> redelivered = after.stream().filter(d -> wasDelivered(ds, d)).collect(Collectors.toList());
        assertThat(redelivered).as("p0: 1, 3; p2: 1 were in flight").hasSize(3).allSatisfy(d -> assertThat(d.deliveryCount()).isGreaterThanOrEqualTo(2));
        assertThat(after).filteredOn(d -> !wasDelivered(ds, d)).isNotEmpty()
                .allSatisfy(d -> assertThat(d.deliveryCount()).isEqualTo(1));
    }

    private static boolean wasDelivered(List<Delivery> earlier, Delivery d) {
        return earlier.stream().anyMatch(o -> o.partition() == d.partition() && o.offset() == d.offset());
    }

    @Test
    void deadLetterRequestSurvivesARestartWithItsErrorAndIsReissued() {
        GroupConfig once = GroupConfig.builder().maxDeliveries(1).build();
        Shell s = new Shell(once, "orders", 1);
        TestLog l = new TestLog(1).append(0, 1);
        String a = s.run(s.group.join("a", "orders", 0, 0)).reply().memberId();
        Delivery d = s.run(s.group.poll(a, 1, 0, l)).reply().get(0);
        s.run(s.group.nack(a, List.of(new NackItem(0, d.leaseEpoch(), 0, "poison")), 0));

        s.restart();

        assertThat(s.deadLetterRequests).singleElement().satisfies(r -> {
            assertThat(r.error()).isEqualTo("poison");
            assertThat(r.deliveryCount()).isEqualTo(1);
        });
        s.run(s.group.deadLettered(0, 0));
        assertThat(s.group.ackFloor(0)).isEqualTo(1);
    }

    @Test
    void aDeliveryInFlightAtTheCrashThatUsedUpItsDeliveriesIsDeadLetteredWithADurableRecord() {
        GroupConfig once = GroupConfig.builder().maxDeliveries(1).build();
        Shell s = new Shell(once, "orders", 1);
        TestLog l = new TestLog(1).append(0, 1);
        String a = s.run(s.group.join("a", "orders", 0, 0)).reply().memberId();
        s.run(s.group.poll(a, 1, 0, l)); // delivered once, never acked: the broker crashes

        s.restart();

        assertThat(s.decodedRecords()).filteredOn(r -> r instanceof GroupRecord.DeadLetterRequested).singleElement()
                .isEqualTo(new GroupRecord.DeadLetterRequested(0, 0, 1, GroupState.ERROR_BROKER_RESTART));
        assertThat(s.deadLetterRequests).singleElement()
                .satisfies(r -> assertThat(r.error()).isEqualTo(GroupState.ERROR_BROKER_RESTART));
        int persistedBefore = s.persisted.size();
        s.restart(); // replaying its record: the same request, no new record
        assertThat(s.persisted).hasSize(persistedBefore);
        assertThat(s.deadLetterRequests).singleElement()
                .satisfies(r -> assertThat(r.error()).isEqualTo(GroupState.ERROR_BROKER_RESTART));
    }

    @Test
    void snapshotReplaysToTheSameDurableState() {
        String a = join("a", 0);
        log.appendAll(5);
        List<Delivery> ds = poll(a, 10, 0);
        ack(a, ds.get(1));
        ack(a, ds.get(3));
        nack(a, ds.get(4), "x", 0);
        shell.run(shell.group.tick(2_000)); // a expires? no: session 5 s. Times out deliveries.
        shell.restart();
        GroupState fromLog = shell.group;

        shell.compact();
        shell.restart();

        assertThat(shell.persisted.size()).isLessThan(40);
        for (int p = 0; p < 6; p++) {
            assertThat(shell.group.ackFloor(p)).isEqualTo(fromLog.ackFloor(p));
            assertThat(shell.group.settledAboveFloor(p)).isEqualTo(fromLog.settledAboveFloor(p));
            assertThat(shell.group.inFlight(p)).isEqualTo(fromLog.inFlight(p));
            assertThat(shell.group.leaseEpoch(p)).isEqualTo(fromLog.leaseEpoch(p));
            assertThat(shell.group.nextOffset(p)).isEqualTo(fromLog.nextOffset(p));
        }
        assertThat(join("a", 0)).as("member id counter survives compaction").isEqualTo("a-2");
    }

    @Test
    void replayRejectsASecondSettlementOfOneOffset() {
        List<GroupRecord> records = List.of(new GroupRecord.GroupCreated("g1", "orders", 1),
                new Delivered(0, 0, 1), new Settled(0, 0, GroupRecord.SettleReason.ACKED),
                new Settled(0, 0, GroupRecord.SettleReason.ACKED));
        assertThatThrownBy(() -> GroupState.replay(CONFIG, records, (t, p) -> 0))
                .isInstanceOfSatisfying(CorruptGroupRecordException.class, e -> assertThat(e.reason())
                        .isEqualTo(CorruptGroupRecordException.Reason.INCONSISTENT))
                .hasMessageContaining("settled twice");
    }

    @Test
    void replayRejectsMoreUnrecordedOffsetsThanTheDeliveryWindowInsteadOfFillingThemIn() throws Exception {
        // Found by GroupRecordCodecFuzzTest: one Delivered record at offset 0x6900000001 made replay
        // fill every offset below it with a synthesised slot until the heap ran out.
        long offset = CONFIG.deliveryWindowMax() + 1L;
        List<GroupRecord> records = List.of(new GroupRecord.GroupCreated("g1", "orders", 1), new Delivered(0, offset, 1));
        assertThatThrownBy(() -> GroupState.replay(CONFIG, records, (t, p) -> 0))
                .isInstanceOfSatisfying(CorruptGroupRecordException.class, e -> assertThat(e.reason())
                        .isEqualTo(CorruptGroupRecordException.Reason.INCONSISTENT))
                .hasMessageContaining(offset + " offsets in [0, " + (offset + 1) + ") have no record")
                .hasMessageContaining("deliveryWindowMax " + CONFIG.deliveryWindowMax());
        // At the window it is still filled in, as before: a log may lose a few records to a torn tail.
        GroupState g = GroupState.replay(CONFIG, List.of(new GroupRecord.GroupCreated("g1", "orders", 1),
                new Delivered(0, CONFIG.deliveryWindowMax(), 1)), (t, p) -> 0);
        assertThat(g.inFlight(0)).hasSize(CONFIG.deliveryWindowMax() + 1);
    }

    @Test
    void unknownMembersAreAnsweredPerItem() {
        join("a", 0);
        Decision<List<ErrorCode>> d = shell.group.ack("nobody-1", List.of(new AckItem(0, 1, 0), new AckItem(1, 1, 0)));
        assertThat(d.error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
        assertThat(d.reply()).containsExactly(ErrorCode.UNKNOWN_GROUP_MEMBER, ErrorCode.UNKNOWN_GROUP_MEMBER);
        assertThat(shell.group.poll("nobody-1", 1, 0, log).error()).isEqualTo(ErrorCode.UNKNOWN_GROUP_MEMBER);
    }

    @Test
    void ackItemsAreJudgedOneByOne() {
        String a = join("a", 0);
        log.append(0, 1);
        Delivery d = poll(a, 1, 0).get(0);
        Decision<List<ErrorCode>> res = shell.run(shell.group.ack(a, List.of(
                new AckItem(0, d.leaseEpoch(), 0),
                new AckItem(0, d.leaseEpoch(), 0),
                new AckItem(0, d.leaseEpoch() - 1, 0),
                new AckItem(0, d.leaseEpoch(), 5),
                new AckItem(17, d.leaseEpoch(), 0))));
        assertThat(res.reply()).containsExactly(ErrorCode.NONE, ErrorCode.NONE, ErrorCode.STALE_LEASE,
                ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(res.records()).filteredOn(r -> r instanceof Settled).hasSize(1);
    }

    /**
     * A poll's new offsets are one fresh run in the slot table, and an ack of the batch in order
     * settles it without a slot object ever made; an ack out of order makes them.
     */
    @Test
    void aBatchAckedInOrderNeverGetsSlotObjects() {
        String a = join("a", 0);
        log.append(0, 20);
        List<Delivery> got = poll(a, 10, 0);
        SlotTable slots = shell.group.progress(0).slots;
        assertThat(slots.size()).isEqualTo(10);
        assertThat(slots.ringSlots()).isEmpty();
        long epoch = got.get(0).leaseEpoch();
        Decision<io.semel.protocol.AckResultRanges> acked = shell.run(shell.group.ack(a,
                io.semel.protocol.AckItemRanges.builder().addRange(0, epoch, 0, 9).build()));
        assertThat(acked.reply().rangeCount()).isEqualTo(1);
        assertThat(acked.records()).containsExactly(new GroupRecord.SettledRange(0, 0, 9, GroupRecord.SettleReason.ACKED));
        assertThat(slots.isEmpty()).isTrue();
        assertThat(shell.group.ackFloor(0)).isEqualTo(10);

        poll(a, 10, 0);
        shell.run(shell.group.ack(a, List.of(new AckItem(0, epoch, 15))));
        assertThat(slots.ringSlots()).as("out of order: objects made").hasSize(9);
        assertThat(shell.group.settledAboveFloor(0)).containsExactly(15L);
    }

    /**
     * A consumer that fetches ahead polls again before acking what it holds: the poll must leave the
     * unacked fresh run as it is, so the in-order acks that follow still settle whole runs. (The due
     * scan of a poll used to make every fresh slot's object even with nothing due, and from then on
     * every ack of such a consumer went offset by offset.)
     */
    @Test
    void aPollWithBatchesStillUnackedMakesNoSlotObjects() {
        String a = join("a", 0);
        log.append(0, 30);
        long epoch = poll(a, 5, 0).get(0).leaseEpoch();
        SlotTable slots = shell.group.progress(0).slots;
        for (long first = 0; first < 20; first += 5) { // maxUnackedPerMember is 10: two batches of 5
            assertThat(poll(a, 5, 0)).as("the batch after [%d, %d]", first, first + 4).hasSize(5);
            assertThat(slots.ringSlots()).as("poll with [%d, %d] unacked", first, first + 4).isEmpty();
            Decision<io.semel.protocol.AckResultRanges> acked = shell.run(shell.group.ack(a,
                    io.semel.protocol.AckItemRanges.builder().addRange(0, epoch, first, first + 4).build()));
            assertThat(acked.records()).containsExactly(
                    new GroupRecord.SettledRange(0, first, first + 4, GroupRecord.SettleReason.ACKED));
            assertThat(slots.ringSlots()).isEmpty();
            assertThat(slots.size()).isEqualTo(5);
        }
    }

    /** Offsets Long.MAX_VALUE then Long.MIN_VALUE are not one run (MAX + 1 overflows to MIN). */
    @Test
    void itemsWhoseOffsetsOnlyFollowThroughTheOverflowAreJudgedApart() {
        String a = join("a", 0);
        log.append(0, 1);
        Delivery d = poll(a, 1, 0).get(0);
        Decision<List<ErrorCode>> res = shell.run(shell.group.ack(a, List.of(
                new AckItem(0, d.leaseEpoch() - 1, Long.MAX_VALUE),
                new AckItem(0, d.leaseEpoch() - 1, Long.MIN_VALUE))));
        assertThat(res.reply()).containsExactly(ErrorCode.STALE_LEASE, ErrorCode.STALE_LEASE);
    }

    @Test
    void aMemberLeavingCleanlyReleasesItsDeliveriesWithoutCountingAnAttempt() {
        log.append(0, 1);
        long now = 0;
        // maxDeliveries is 3: five members in a row each take the message and leave without acking.
        for (int i = 0; i < 5; i++) {
            String m = join("m" + i, now);
            Delivery d = poll(m, 10, now).stream().filter(x -> x.partition() == 0).findFirst().orElseThrow();
            assertThat(d.deliveryCount()).as("the delivery count still grows").isEqualTo(i + 1);
            Decision<Void> left = shell.run(shell.group.leave(m, now));
            assertThat(left.deadLetters()).isEmpty();
            assertThat(left.records()).contains(new GroupRecord.Released(0, 0, i + 1, i + 1));
            now += 10;
        }
        assertThat(shell.deadLetterRequests).as("released deliveries are not attempts").isEmpty();
        String last = join("last", now);
        Delivery d = poll(last, 10, now).stream().filter(x -> x.partition() == 0).findFirst().orElseThrow();
        assertThat(ack(last, d)).isEqualTo(ErrorCode.NONE);
        assertThat(shell.group.ackFloor(0)).isEqualTo(1);
    }

    @Test
    void aMemberThatExpiresStillCountsItsDeliveriesAsAttempts() {
        log.append(0, 1);
        long now = 0;
        for (int i = 0; i < 3; i++) {
            String m = join("m" + i, now);
            assertThat(poll(m, 10, now)).isNotEmpty();
            now += 6_000; // past the session timeout: no clean leave
            shell.run(shell.group.tick(now));
        }
        assertThat(shell.group.slotState(0, 0)).contains(SlotState.DEAD_LETTER_PENDING);
    }

    @Test
    void releasesSurviveARestartAndACompaction() {
        log.append(0, 1);
        long now = 0;
        for (int i = 0; i < 3; i++) {
            String m = join("m" + i, now);
            assertThat(poll(m, 10, now)).isNotEmpty();
            shell.run(shell.group.leave(m, now));
        }
        shell.restart();
        shell.compact();
        shell.restart();
        String m = join("after", now);
        Delivery d = poll(m, 10, now).stream().filter(x -> x.partition() == 0).findFirst().orElseThrow();
        assertThat(d.deliveryCount()).isEqualTo(4);
        assertThat(shell.deadLetterRequests).as("3 deliveries, all released: 0 attempts before this one").isEmpty();
        // Two more failures (ack timeouts) are attempts 2 and 3; the third dead-letters.
        for (int i = 0; i < 2; i++) {
            now += 1_000;
            shell.run(shell.group.tick(now));
            shell.run(shell.group.heartbeat(m, now));
            assertThat(poll(m, 10, now)).isNotEmpty();
        }
        now += 1_000;
        assertThat(shell.run(shell.group.tick(now)).deadLetters()).singleElement()
                .satisfies(r -> assertThat(r.deliveryCount()).isEqualTo(6));
    }
}
