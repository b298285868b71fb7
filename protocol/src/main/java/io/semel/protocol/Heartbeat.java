package io.semel.protocol;

import io.semel.protocol.internal.Check;
import io.semel.protocol.internal.WireReader;
import io.semel.protocol.internal.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * HEARTBEAT (api key 10): keeps a member alive and tells it which partitions it currently leases.
 * Send it at least every sessionTimeoutMs / 3.
 *
 * <pre>
 * Request              type     meaning
 * -------------------  -------  ------------------------------------------------------------
 * group                string
 * memberId             string   from {@link JoinGroup}
 *
 * Response             type     meaning (default in an error frame)
 * -------------------  -------  ------------------------------------------------------------
 * error, errorMessage  int16, string?  see {@link ApiResponse}; UNKNOWN_GROUP_MEMBER: rejoin
 * leases               [Lease]  partitions leased to this member now ([])
 *   partition          int32
 *   leaseEpoch         int64    grows on every reassignment of the partition; >= 0
 * </pre>
 *
 * <p>A partition missing from the list is no longer this member's: its acks would get
 * {@code STALE_LEASE}, so the member stops processing it.
 */
public final class Heartbeat {
    private Heartbeat() {
    }

    public record Lease(int partition, long leaseEpoch) {
        public Lease {
            Check.range("partition", partition, 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1);
            Check.range("leaseEpoch", leaseEpoch, 0, Long.MAX_VALUE);
        }
    }

    public record Request(String group, String memberId) implements ApiRequest {
        public Request {
            Check.notNull(group, "group");
            Check.notNull(memberId, "memberId");
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.HEARTBEAT;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeString(group).writeString(memberId);
        }

        public static Request decode(WireReader r) throws ProtocolException {
            return new Request(r.readString("group"), r.readString("memberId"));
        }
    }

    public record Response(ErrorCode error, String errorMessage, List<Lease> leases) implements ApiResponse {
        public Response {
            Check.notNull(error, "error");
            leases = List.copyOf(leases);
        }

        public static Response error(ErrorCode error, String message) {
            return new Response(error, message, List.of());
        }

        @Override
        public ApiKey apiKey() {
            return ApiKey.HEARTBEAT;
        }

        @Override
        public void encode(WireWriter w) {
            w.writeErrorCode(error).writeNullableString(errorMessage).writeCount(leases.size());
            for (Lease l : leases) {
                w.writeInt32(l.partition()).writeInt64(l.leaseEpoch());
            }
        }

        public static Response decode(WireReader r) throws ProtocolException {
            ErrorCode error = r.readErrorCode();
            String message = r.readNullableString();
            int count = r.readCount(12);
            List<Lease> leases = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                leases.add(new Lease(r.readInt32("partition", 0, Protocol.MAX_PARTITIONS_PER_TOPIC - 1),
                        r.readInt64("leaseEpoch", 0, Long.MAX_VALUE)));
            }
            return new Response(error, message, leases);
        }
    }
}
