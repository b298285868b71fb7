package io.semel.broker.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Life of one offset of one partition within a group, from its first delivery until it is settled.
 * Offsets never delivered have no slot; settled offsets drop theirs (they live on in the ack floor
 * or the settled set). The allowed transitions are listed here and nowhere else:
 *
 * <pre>
 *   (first delivery) ──▶ DELIVERED ──ack──────────────────────────▶ ACKED          (settled)
 *                          │  ▲
 *        ack timeout, nack,│  │redelivery (count + 1)
 *        lease moved,      │  │
 *        holder left       ▼  │
 *                          DUE ──late ack under the same lease──▶ ACKED
 *
 *   DELIVERED ──(would exceed maxDeliveries)──▶ DEAD_LETTER_PENDING ──deadLettered()──▶ DEAD_LETTERED (settled)
 * </pre>
 *
 * A holder that leaves the group cleanly releases its DELIVERED slots: they become DUE at once, and
 * that delivery does not count as an attempt (a consumer that stops after printing N messages must
 * not push the rest towards the dead-letter topic). The delivery count still grows with every
 * delivery; only attempts (deliveries minus releases) count towards maxDeliveries.
 *
 * <p>A slot that would become DUE with {@code attempts >= maxDeliveries} becomes
 * DEAD_LETTER_PENDING instead, so a DUE slot can always be delivered once more.
 */
public enum SlotState {
    /** Handed to the lease holder; waiting for ack or nack until the ack deadline. */
    DELIVERED,
    /** To be handed out again once its due time has come (immediately, or after a nack backoff). */
    DUE,
    /** Asked the shell to copy it to the dead-letter topic; not settled until it confirms. */
    DEAD_LETTER_PENDING,
    /** Terminal: acked by the lease holder. */
    ACKED,
    /** Terminal: the dead-letter copy is durable. */
    DEAD_LETTERED;

    /** {@link #table()} by ordinal, built once: every delivery and ack checks a transition. */
    private static final List<Set<SlotState>> NEXT;

    static {
        List<Set<SlotState>> next = new ArrayList<>();
        for (SlotState s : values()) {
            next.add(Collections.unmodifiableSet(s.table()));
        }
        NEXT = List.copyOf(next);
    }

    /** Whether a slot in this state may move to {@code next}. */
    public boolean canMoveTo(SlotState next) {
        return NEXT.get(ordinal()).contains(next);
    }

    public boolean isTerminal() {
        return NEXT.get(ordinal()).isEmpty();
    }

    /** The single transition table. */
    private Set<SlotState> table() {
        switch (this) {
            case DELIVERED:
                return EnumSet.of(ACKED, DUE, DEAD_LETTER_PENDING);
            case DUE:
                return EnumSet.of(DELIVERED, ACKED);
            case DEAD_LETTER_PENDING:
                return EnumSet.of(DEAD_LETTERED);
            default:
                return EnumSet.noneOf(SlotState.class);
        }
    }
}
