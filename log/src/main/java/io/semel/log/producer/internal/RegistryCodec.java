package io.semel.log.producer.internal;

import io.semel.log.producer.ProducerRegistry.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Owns the {@code producers.registry} format. Big-endian; stateless; thread-safe.
 *
 * <pre>
 * offset size field            meaning
 * ------ ---- ---------------- -----------------------------------------------------------
 *      0    4 magic            0x53505247 ("SPRG")
 *      4    2 version          {@value #VERSION}
 *      6    4 crc              CRC32C over bytes [10, end): everything below
 *     10    8 nextProducerId   id the next new name gets; ids are never reused
 *     18    4 count            number of entries, 0..{@value #ENTRIES_LIMIT}
 *     22    * entries          count times, by strictly ascending producer id:
 *                                8 producerId (0..nextProducerId-1)   2 epoch (>= 0)
 *                                2 nameLength (1..{@value #NAME_BYTES_MAX})   name, UTF-8, printable
 *                                version 2 only:
 *                                8 instanceToken (0 = none)   8 lastActiveMs (wall clock)
 *                                1 flags (bit 0: expired; other bits 0)
 *                                1 retiredCount (0..{@value #RETIRED_TOKENS_MAX})   retiredCount x 8 token
 * </pre>
 *
 * <p>Version 1 (without the version-2 fields) is still read: tokens none, activity unknown
 * ({@link #NO_ACTIVITY}), not expired.
 *
 * <p>What this format does <em>not</em> protect against: magic and version are outside the CRC
 * (checked by value); a CRC32C misses random multi-bit corruption with probability 2^-32 and
 * offers nothing against tampering; and an intact but <em>stale</em> copy (restored from an old
 * backup) decodes fine and would hand out epochs and ids again. Unlike snapshots this file is not
 * a cache: nothing else records names, ids and epochs, so a bad file is a hard error.
 */
public final class RegistryCodec {
    public static final int MAGIC = 0x53505247;
    public static final short VERSION = 2;
    public static final short VERSION_1 = 1;
    /** Token value meaning "none". */
    public static final long NO_TOKEN = 0;
    /** lastActiveMs of an entry read from a version-1 file. */
    public static final long NO_ACTIVITY = Long.MIN_VALUE;
    /** Tokens of replaced instances kept per entry. */
    public static final int RETIRED_TOKENS_MAX = 4;
    /** Longest producer name in UTF-8 bytes. */
    public static final int NAME_BYTES_MAX = 249;
    /** Hard ceiling on names, which bounds the file to about 261 MB. */
    public static final int ENTRIES_LIMIT = 1_000_000;
    private static final int HEADER_BYTES = 22;
    private static final int CRC_OFFSET = 6;
    private static final int CRC_START = 10;
    private static final int ENTRY_FIXED_BYTES = 12;
    private static final int ENTRY_V2_BYTES = 18;
    public static final long FILE_BYTES_MAX = HEADER_BYTES
            + (long) ENTRIES_LIMIT * (ENTRY_FIXED_BYTES + NAME_BYTES_MAX + ENTRY_V2_BYTES + 8 * RETIRED_TOKENS_MAX);

    /** The decoded file. */
    public record Contents(long nextProducerId, List<Entry> entries) {
        public Contents {
            entries = List.copyOf(entries);
        }
    }

    private RegistryCodec() {
    }

    /** @param entries by ascending producer id */
    public static byte[] encode(long nextProducerId, Iterable<Entry> entries) {
        List<byte[]> names = new ArrayList<>();
        long size = HEADER_BYTES;
        for (Entry e : entries) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            size += ENTRY_FIXED_BYTES + name.length + ENTRY_V2_BYTES + 8L * e.retiredTokens().size();
        }
        assert size <= FILE_BYTES_MAX : size;
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        buf.putInt(MAGIC).putShort(VERSION).putInt(0).putLong(nextProducerId).putInt(names.size());
        int i = 0;
        for (Entry e : entries) {
            byte[] name = names.get(i++);
            buf.putLong(e.producerId()).putShort(e.epoch()).putShort((short) name.length).put(name);
            buf.putLong(e.instanceToken()).putLong(e.lastActiveMs()).put((byte) (e.expired() ? 1 : 0))
                    .put((byte) e.retiredTokens().size());
            e.retiredTokens().forEach(buf::putLong);
        }
        assert !buf.hasRemaining();
        byte[] bytes = buf.array();
        ByteBuffer.wrap(bytes).putInt(CRC_OFFSET, crc(bytes));
        return bytes;
    }

    /** @throws IOException naming what is wrong, for any bad input; never another exception type */
    public static Contents decode(byte[] bytes, String fileName) throws IOException {
        if (bytes.length < HEADER_BYTES || bytes.length > FILE_BYTES_MAX) {
            throw corrupt(fileName, bytes.length + " bytes, allowed " + HEADER_BYTES + ".." + FILE_BYTES_MAX);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int magic = buf.getInt();
        short version = buf.getShort();
        int storedCrc = buf.getInt();
        if (magic != MAGIC || (version != VERSION && version != VERSION_1)) {
            throw corrupt(fileName, String.format("magic %08x version %d, expected %08x version %d or %d", magic,
                    version, MAGIC, VERSION_1, VERSION));
        }
        if (storedCrc != crc(bytes)) {
            throw corrupt(fileName, String.format("stored CRC32C %08x, computed %08x", storedCrc, crc(bytes)));
        }
        long next = buf.getLong();
        int count = buf.getInt();
        if (next < 0 || count < 0 || count > ENTRIES_LIMIT || count > next
                || (long) count * (ENTRY_FIXED_BYTES + 1) > buf.remaining()) {
            throw corrupt(fileName, "next producer id " + next + ", entry count " + count + " impossible in "
                    + bytes.length + " bytes");
        }
        List<Entry> entries = new ArrayList<>(count);
        Set<String> names = new HashSet<>();
        long previousId = -1;
        for (int i = 0; i < count; i++) {
            Entry e = decodeEntry(buf, fileName, version);
            if (e.producerId() <= previousId || e.producerId() >= next || !names.add(e.name())) {
                throw corrupt(fileName, "entry " + i + " " + e + " out of order, beyond next id " + next
                        + " or a repeated name");
            }
            entries.add(e);
            previousId = e.producerId();
        }
        if (buf.hasRemaining()) {
            throw corrupt(fileName, buf.remaining() + " bytes left after " + count + " entries");
        }
        return new Contents(next, entries);
    }

    private static Entry decodeEntry(ByteBuffer buf, String fileName, short version) throws IOException {
        if (buf.remaining() < ENTRY_FIXED_BYTES) {
            throw corrupt(fileName, "truncated entry at byte " + buf.position());
        }
        long id = buf.getLong();
        short epoch = buf.getShort();
        int nameLength = buf.getShort();
        if (epoch < 0 || nameLength < 1 || nameLength > NAME_BYTES_MAX || nameLength > buf.remaining()) {
            throw corrupt(fileName, "producer " + id + " epoch " + epoch + " name length " + nameLength
                    + " invalid at byte " + buf.position());
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buf.slice(buf.position(), nameLength))
                    .toString();
        } catch (CharacterCodingException e) {
            throw corrupt(fileName, "producer " + id + " name is not UTF-8");
        }
        buf.position(buf.position() + nameLength);
        String problem = nameProblem(name);
        if (problem != null) {
            throw corrupt(fileName, "producer " + id + ": " + problem);
        }
        if (version == VERSION_1) {
            return new Entry(name, id, epoch, NO_TOKEN, List.of(), NO_ACTIVITY, false);
        }
        if (buf.remaining() < ENTRY_V2_BYTES) {
            throw corrupt(fileName, "producer " + id + " entry truncated at byte " + buf.position());
        }
        long token = buf.getLong();
        long lastActiveMs = buf.getLong();
        int flags = buf.get();
        int retired = buf.get();
        if ((flags & ~1) != 0 || retired < 0 || retired > RETIRED_TOKENS_MAX || buf.remaining() < 8 * retired) {
            throw corrupt(fileName, "producer " + id + " flags " + flags + " retired tokens " + retired
                    + " invalid at byte " + buf.position());
        }
        List<Long> tokens = new ArrayList<>(retired);
        for (int i = 0; i < retired; i++) {
            tokens.add(buf.getLong());
        }
        return new Entry(name, id, epoch, token, tokens, lastActiveMs, (flags & 1) != 0);
    }

    /** Why {@code name} is not a valid producer name, or null when it is. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "producer name is empty";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > NAME_BYTES_MAX) {
            return "producer name is " + bytes + " bytes in UTF-8, the limit is " + NAME_BYTES_MAX;
        }
        int bad = name.codePoints().filter(cp -> !printable(cp)).findFirst().orElse(-1);
        if (bad >= 0) {
            return String.format("producer name has the non-printable character U+%04X", bad);
        }
        return null;
    }

    private static boolean printable(int codePoint) {
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return false;
            default:
                return true;
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, CRC_START, bytes.length - CRC_START);
        return (int) crc.getValue();
    }

    private static IOException corrupt(String fileName, String detail) {
        return new IOException(fileName + " is corrupt (" + detail + "). It cannot be rebuilt from partition logs: "
                + "restore it from a backup; starting with an empty registry would reissue producer ids and "
                + "epochs and break deduplication, so the broker refuses to");
    }
}
