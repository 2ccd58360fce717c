package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;

/**
 * What delivery tells a user's state through the feedback topic, exactly once (it is written in the
 * checkpoint's Kafka transaction and read back keyed by user):
 *
 * <ul>
 *   <li>{@link Kind#PARKED}: the operation could not be delivered within its time in delivery; it
 *       waits in the user's state, and so does everything of the user after it;
 *   <li>{@link Kind#SEALED}: a seal came through delivery: every operation of the user sent before
 *       it has been settled or parked;
 *   <li>{@link Kind#SETTLED}: an operation whose state asked for an answer ({@link
 *       CustomerioOperation#ackRequested}), or that changed the state and was refused, is settled:
 *       {@link #accepted} or not.
 * </ul>
 *
 * A Flink POJO: it crosses the keyBy shuffle into the user-state operator.
 */
public class DeliveryFeedback {

    /** What happened. */
    public enum Kind {
        PARKED,
        SEALED,
        SETTLED
    }

    public String userKey;

    public Kind kind;

    /** The operation concerned (the seal itself for {@link Kind#SEALED}). */
    public CustomerioOperation operation;

    /** {@link Kind#SETTLED}: whether Customer.io accepted the operation. */
    public boolean accepted;

    /**
     * {@link Kind#PARKED}: why it waits ({@code customerio_unavailable}, {@code unauthorized},
     * {@code throttled}, {@code restored}, {@code behind_waiting_operation}, ...), for logs and
     * metrics.
     */
    public String reason;

    /** When delivery decided it (ms). */
    public long atMs;

    public DeliveryFeedback() {}

    public static DeliveryFeedback parked(CustomerioOperation op, String reason, long atMs) {
        return of(Kind.PARKED, op, false, reason, atMs);
    }

    public static DeliveryFeedback sealed(CustomerioOperation seal, long atMs) {
        return of(Kind.SEALED, seal, true, null, atMs);
    }

    public static DeliveryFeedback settled(CustomerioOperation op, boolean accepted, long atMs) {
        return of(Kind.SETTLED, op, accepted, null, atMs);
    }

    private static DeliveryFeedback of(
            Kind kind, CustomerioOperation op, boolean accepted, String reason, long atMs) {
        DeliveryFeedback f = new DeliveryFeedback();
        f.userKey = op.userKey;
        f.kind = kind;
        f.operation = op;
        f.accepted = accepted;
        f.reason = reason;
        f.atMs = atMs;
        return f;
    }

    @Override
    public String toString() {
        return "DeliveryFeedback{"
                + kind
                + (kind == Kind.SETTLED ? (accepted ? " accepted" : " refused") : "")
                + (reason != null ? " " + reason : "")
                + " "
                + operation
                + '}';
    }
}
