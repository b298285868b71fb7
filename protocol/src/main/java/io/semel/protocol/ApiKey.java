package io.semel.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The request types, each with a fixed wire number. Like {@link ErrorCode}, a number never
 * changes meaning and is never reused; a retired API keeps its number reserved.
 *
 * <pre>
 * id  api             request → response                    see
 * --  --------------  ------------------------------------  ------------------
 *  0  HELLO           version negotiation, authentication    {@link Hello}
 *  1  METADATA        partition counts of named topics       {@link Metadata}
 *  2  CREATE_TOPIC    create a topic with n partitions       {@link CreateTopic}
 *  3  LIST_TOPICS     every topic and its partition count    {@link ListTopics}
 *  4  DESCRIBE_TOPIC  per-partition start and next offsets   {@link DescribeTopic}
 *  5  INIT_PRODUCER   producer id, epoch, persisted seqs     {@link InitProducer}
 *  6  PRODUCE         append one record batch                {@link Produce}
 *  7  FETCH           plain log read from an offset          {@link Fetch}
 *  8  JOIN_GROUP      join a consumer group                  {@link JoinGroup}
 *  9  LEAVE_GROUP     leave a consumer group                 {@link LeaveGroup}
 * 10  HEARTBEAT       keep membership, learn leases          {@link Heartbeat}
 * 11  POLL            leased deliveries for a member         {@link Poll}
 * 12  ACK             settle deliveries                      {@link Ack}
 * 13  NACK            request redelivery with backoff        {@link Nack}
 * 14  RELEASE_PRODUCER remove a producer's registration     {@link ReleaseProducer}
 * 15  LIST_PRODUCERS  registered producers, their sequences  {@link ListProducers}
 * 40  DELETE_TOPIC    delete a topic and its dead-letter     {@link DeleteTopic}
 * 41  ADD_PARTITIONS  grow a topic's partition count         {@link AddPartitions}
 * 42  LIST_GROUPS     every consumer group                   {@link ListGroups}
 * 43  DESCRIBE_GROUP  members, leases, floors and lag        {@link DescribeGroup}
 * 44  RESET_GROUP     move a memberless group's position     {@link ResetGroup}
 * 20  AUTHENTICATE    one SCRAM-SHA-256 step after HELLO     {@link Authenticate}
 * </pre>
 *
 * <p>Numbers are not contiguous: ranges are handed out to work done in parallel, so never assume
 * 0..N.
 *
 * <p>Each API also has a version ({@link #latestVersion()}), carried in every frame, so one API can
 * change layout without a new number. All are at version 1 except ACK (2: ranges; 1 is still read) and POLL (4:
 * deliveries in runs of stored records; 3, 2 and 1 are still read).
 */
public enum ApiKey {
    HELLO(0),
    METADATA(1),
    CREATE_TOPIC(2),
    LIST_TOPICS(3),
    DESCRIBE_TOPIC(4),
    INIT_PRODUCER(5),
    PRODUCE(6),
    FETCH(7),
    JOIN_GROUP(8),
    LEAVE_GROUP(9),
    HEARTBEAT(10),
    POLL(11, 4),
    ACK(12, 2),
    NACK(13),
    RELEASE_PRODUCER(14),
    LIST_PRODUCERS(15),
    DELETE_TOPIC(40),
    ADD_PARTITIONS(41),
    LIST_GROUPS(42),
    DESCRIBE_GROUP(43),
    RESET_GROUP(44),
    // 20..29: security.
    AUTHENTICATE(20);

    private static final Map<Integer, ApiKey> BY_ID = new HashMap<>();

    static {
        for (ApiKey k : values()) {
            ApiKey previous = BY_ID.put((int) k.id, k);
            assert previous == null : "duplicate api key " + k.id;
        }
    }

    private final short id;
    private final short latestVersion;

    ApiKey(int id) {
        this(id, 1);
    }

    ApiKey(int id, int latestVersion) {
        this.id = (short) id;
        this.latestVersion = (short) latestVersion;
    }

    /** The fixed wire number. */
    public short id() {
        return id;
    }

    /** The oldest version of this API's layout the code reads. */
    public short oldestVersion() {
        return 1;
    }

    /** The newest version this code reads and writes (it answers a request in the request's version). */
    public short latestVersion() {
        return latestVersion;
    }

    /** Whether this code can read {@code version} of this API. */
    public boolean supports(int version) {
        return version >= oldestVersion() && version <= latestVersion();
    }

    /**
     * Decodes a wire number.
     *
     * @throws ProtocolException with {@link ErrorCode#INVALID_REQUEST} for an unknown number
     */
    public static ApiKey forId(int id) throws ProtocolException {
        ApiKey key = BY_ID.get(id);
        if (key == null) {
            throw new ProtocolException(ErrorCode.INVALID_REQUEST, "unknown api key " + id
                    + "; this code knows " + new java.util.TreeSet<>(BY_ID.keySet()));
        }
        return key;
    }
}
