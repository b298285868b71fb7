package io.semel.broker.group;

import io.semel.broker.group.CorruptGroupRecordException.Reason;
import io.semel.broker.group.GroupRecord.AckFloor;
import io.semel.broker.group.GroupRecord.DeadLetterRequested;
import io.semel.broker.group.GroupRecord.Delivered;
import io.semel.broker.group.GroupRecord.GroupCreated;
import io.semel.broker.group.GroupRecord.GroupDeleted;
import io.semel.broker.group.GroupRecord.PartitionsAdded;
import io.semel.broker.group.GroupRecord.PositionReset;
import io.semel.broker.group.GroupRecord.LeaseGranted;
import io.semel.broker.group.GroupRecord.MemberIdIssued;
import io.semel.broker.group.GroupRecord.Released;
import io.semel.broker.group.GroupRecord.SettleReason;
import io.semel.broker.group.GroupRecord.Settled;
import io.semel.broker.group.GroupRecord.SettledRange;
import io.semel.broker.group.GroupRecord.DeliveredRange;
import io.semel.broker.group.GroupRecord.DeliveryHorizon;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Binary form of {@link GroupRecord}. Owns the format. Big-endian, no length field: the shell
 * wraps each encoded record in one log record, whose batch carries the length and a CRC32C.
 *
 * <pre>
 * every record: | version u8 = 1 | type u8 | body (by type, below)                        |
 *
 * type | record              | body
 * -----+---------------------+-------------------------------------------------------------
 *  1   | GroupCreated        | group str16, topic str16, partitionCount i32 (1..MAX_PARTITIONS_PER_TOPIC)
 *  2   | MemberIdIssued      | sequence i64 (>= 1)
 *  3   | LeaseGranted        | partition i32 (>= 0), leaseEpoch i64 (>= 1)
 *  4   | Delivered           | partition i32, offset i64 (>= 0), deliveryCount i32 (>= 1)
 *  5   | DeadLetterRequested | partition i32, offset i64, deliveryCount i32, error str16
 *  6   | Settled             | partition i32, offset i64, reason u8 (1 ACKED, 2 DEAD_LETTERED)
 *  7   | AckFloor            | partition i32, ackFloor i64 (>= 0)
 *  8   | Released            | partition i32, offset i64, deliveryCount i32, releases i32 (1..deliveryCount)
 *  9   | PositionReset       | partition i32, offset i64 (>= 0)
 * 10   | PartitionsAdded     | partitionCount i32 (2..MAX_PARTITIONS_PER_TOPIC)
 * 11   | GroupDeleted        | (empty)
 * 12   | SettledRange        | partition i32, firstOffset i64, lastOffset i64 (> firstOffset), reason u8
 * 13   | DeliveredRange      | partition i32, firstOffset i64, lastOffset i64 (> firstOffset), deliveryCount i32
 * 14   | DeliveryHorizon     | partition i32, offset i64 (>= 0)
 *
 * Types 12 and 13 stand for a run of types 6 resp. 4 over consecutive offsets (the shell coalesces
 * them; see GroupRecords); a broker older than them cannot read a group log that holds them, nor
 * one older than type 14 a log that holds that.
 *
 * str16 = length u16 (bytes) followed by that many bytes of UTF-8 (malformed UTF-8 is rejected).
 * </pre>
 *
 * <p>Decoding accepts exactly one record filling the whole input: short input is {@link
 * Reason#TRUNCATED}, extra bytes {@link Reason#TRAILING_BYTES}. It does <em>not</em> protect
 * against a bit flip that leaves a well-formed record (that is the wrapping batch's CRC's job), nor
 * check facts across records (that is {@link GroupState#replay}'s).
 *
 * <p>Stateless and thread-safe.
 */
public final class GroupRecordCodec {
    public static final byte VERSION = 1;

    static final byte GROUP_CREATED = 1;
    static final byte MEMBER_ID_ISSUED = 2;
    static final byte LEASE_GRANTED = 3;
    static final byte DELIVERED = 4;
    static final byte DEAD_LETTER_REQUESTED = 5;
    static final byte SETTLED = 6;
    static final byte ACK_FLOOR = 7;
    static final byte RELEASED = 8;
    static final byte POSITION_RESET = 9;
    static final byte PARTITIONS_ADDED = 10;
    static final byte GROUP_DELETED = 11;
    static final byte SETTLED_RANGE = 12;
    static final byte DELIVERED_RANGE = 13;
    static final byte DELIVERY_HORIZON = 14;

    private GroupRecordCodec() {
    }

    public static byte[] encode(GroupRecord record) {
        ByteBuffer buf = ByteBuffer.allocate(encodedSize(record));
        buf.put(VERSION);
        if (record instanceof GroupCreated r) {
            buf.put(GROUP_CREATED);
            putStr(buf, r.group());
            putStr(buf, r.topic());
            buf.putInt(r.partitionCount());
        } else if (record instanceof MemberIdIssued r) {
            buf.put(MEMBER_ID_ISSUED).putLong(r.sequence());
        } else if (record instanceof LeaseGranted r) {
            buf.put(LEASE_GRANTED).putInt(r.partition()).putLong(r.leaseEpoch());
        } else if (record instanceof Delivered r) {
            buf.put(DELIVERED).putInt(r.partition()).putLong(r.offset()).putInt(r.deliveryCount());
        } else if (record instanceof DeadLetterRequested r) {
            buf.put(DEAD_LETTER_REQUESTED).putInt(r.partition()).putLong(r.offset()).putInt(r.deliveryCount());
            putStr(buf, r.error());
        } else if (record instanceof Settled r) {
            buf.put(SETTLED).putInt(r.partition()).putLong(r.offset()).put(r.reason().wire());
        } else if (record instanceof AckFloor r) {
            buf.put(ACK_FLOOR).putInt(r.partition()).putLong(r.ackFloor());
        } else if (record instanceof Released r) {
            buf.put(RELEASED).putInt(r.partition()).putLong(r.offset()).putInt(r.deliveryCount())
                    .putInt(r.releases());
        } else if (record instanceof PositionReset r) {
            buf.put(POSITION_RESET).putInt(r.partition()).putLong(r.offset());
        } else if (record instanceof PartitionsAdded r) {
            buf.put(PARTITIONS_ADDED).putInt(r.partitionCount());
        } else if (record instanceof GroupDeleted) {
            buf.put(GROUP_DELETED);
        } else if (record instanceof SettledRange r) {
            buf.put(SETTLED_RANGE).putInt(r.partition()).putLong(r.firstOffset()).putLong(r.lastOffset())
                    .put(r.reason().wire());
        } else if (record instanceof DeliveredRange r) {
            buf.put(DELIVERED_RANGE).putInt(r.partition()).putLong(r.firstOffset()).putLong(r.lastOffset())
                    .putInt(r.deliveryCount());
        } else if (record instanceof DeliveryHorizon r) {
            buf.put(DELIVERY_HORIZON).putInt(r.partition()).putLong(r.offset());
        } else {
            throw new AssertionError("unhandled record type " + record.getClass());
        }
        // Assert right after writing: the size table and the writer agree.
        assert !buf.hasRemaining() : "encodedSize disagrees with encode for " + record;
        return buf.array();
    }

    public static GroupRecord decode(byte[] bytes) throws CorruptGroupRecordException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        GroupRecord record;
        try {
            byte version = buf.get();
            if (version != VERSION) {
                throw new CorruptGroupRecordException(Reason.UNKNOWN_VERSION,
                        "group record version " + version + ", this code reads " + VERSION);
            }
            byte type = buf.get();
            record = decodeBody(type, buf);
        } catch (BufferUnderflowException e) {
            throw new CorruptGroupRecordException(Reason.TRUNCATED,
                    "group record of " + bytes.length + " bytes ends inside a field");
        } catch (IllegalArgumentException e) {
            throw new CorruptGroupRecordException(Reason.BAD_CONTENT, e.getMessage());
        }
        if (buf.hasRemaining()) {
            throw new CorruptGroupRecordException(Reason.TRAILING_BYTES,
                    buf.remaining() + " bytes after a complete " + record.getClass().getSimpleName());
        }
        return record;
    }

    private static GroupRecord decodeBody(byte type, ByteBuffer buf) throws CorruptGroupRecordException {
        switch (type) {
            case GROUP_CREATED:
                return new GroupCreated(getStr(buf), getStr(buf), buf.getInt());
            case MEMBER_ID_ISSUED:
                return new MemberIdIssued(buf.getLong());
            case LEASE_GRANTED:
                return new LeaseGranted(buf.getInt(), buf.getLong());
            case DELIVERED:
                return new Delivered(buf.getInt(), buf.getLong(), buf.getInt());
            case DEAD_LETTER_REQUESTED:
                return new DeadLetterRequested(buf.getInt(), buf.getLong(), buf.getInt(), getStr(buf));
            case SETTLED: {
                int partition = buf.getInt();
                long offset = buf.getLong();
                return new Settled(partition, offset, reason(buf.get()));
            }
            case SETTLED_RANGE: {
                int partition = buf.getInt();
                long first = buf.getLong();
                long last = buf.getLong();
                return new SettledRange(partition, first, last, reason(buf.get()));
            }
            case DELIVERED_RANGE:
                return new DeliveredRange(buf.getInt(), buf.getLong(), buf.getLong(), buf.getInt());
            case ACK_FLOOR:
                return new AckFloor(buf.getInt(), buf.getLong());
            case RELEASED:
                return new Released(buf.getInt(), buf.getLong(), buf.getInt(), buf.getInt());
            case POSITION_RESET:
                return new PositionReset(buf.getInt(), buf.getLong());
            case PARTITIONS_ADDED:
                return new PartitionsAdded(buf.getInt());
            case GROUP_DELETED:
                return new GroupDeleted();
            case DELIVERY_HORIZON:
                return new DeliveryHorizon(buf.getInt(), buf.getLong());
            default:
                throw new CorruptGroupRecordException(Reason.UNKNOWN_TYPE, "unknown group record type " + type);
        }
    }

    private static SettleReason reason(byte wire) throws CorruptGroupRecordException {
        SettleReason reason = SettleReason.forWire(wire);
        if (reason == null) {
            throw new CorruptGroupRecordException(Reason.BAD_CONTENT, "unknown settle reason " + wire);
        }
        return reason;
    }

    static int encodedSize(GroupRecord record) {
        int body;
        if (record instanceof GroupCreated r) {
            body = str16Size(r.group()) + str16Size(r.topic()) + 4;
        } else if (record instanceof MemberIdIssued) {
            body = 8;
        } else if (record instanceof LeaseGranted) {
            body = 4 + 8;
        } else if (record instanceof Delivered) {
            body = 4 + 8 + 4;
        } else if (record instanceof DeadLetterRequested r) {
            body = 4 + 8 + 4 + str16Size(r.error());
        } else if (record instanceof Settled) {
            body = 4 + 8 + 1;
        } else if (record instanceof AckFloor) {
            body = 4 + 8;
        } else if (record instanceof Released) {
            body = 4 + 8 + 4 + 4;
        } else if (record instanceof PositionReset) {
            body = 4 + 8;
        } else if (record instanceof PartitionsAdded) {
            body = 4;
        } else if (record instanceof GroupDeleted) {
            body = 0;
        } else if (record instanceof SettledRange) {
            body = 4 + 8 + 8 + 1;
        } else if (record instanceof DeliveredRange) {
            body = 4 + 8 + 8 + 4;
        } else if (record instanceof DeliveryHorizon) {
            body = 4 + 8;
        } else {
            throw new AssertionError("unhandled record type " + record.getClass());
        }
        return 2 + body;
    }

    private static int str16Size(String s) {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 0xFFFF) {
            throw new IllegalArgumentException("string of " + bytes + " UTF-8 bytes exceeds the str16 limit 65535");
        }
        return 2 + bytes;
    }

    private static void putStr(ByteBuffer buf, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        buf.putShort((short) b.length).put(b);
    }

    private static String getStr(ByteBuffer buf) throws CorruptGroupRecordException {
        int len = Short.toUnsignedInt(buf.getShort());
        byte[] b = new byte[len];
        buf.get(b);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new CorruptGroupRecordException(Reason.BAD_CONTENT, "string is not valid UTF-8");
        }
    }
}
