package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryResult;
import dev.cioforwarder.privacy.ErasureOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What the delivery step reports for a request: a dead letter of a refused operation, the outcome
 * of an erasure's deletion, or feedback for a user's state. A Flink POJO; exactly one field is set.
 */
public class DeliveryOutcome {

    public DeadLetter deadLetter;

    public ErasureOutcome erasure;

    /** What a user's state must hear (parked, sealed, settled), through the feedback topic. */
    public DeliveryFeedback feedback;

    public DeliveryOutcome() {}

    /** Marks a seal among the operations of a request that were not sent. */
    static final String SEAL = "seal";

    /**
     * What a request reports: for each operation, by what became of it (in the request's order, so
     * a user's parked operations are reported in their order).
     *
     * <ul>
     *   <li>not sent ({@code notSent[k]} says why) or parked by delivery: feedback {@code parked},
     *       with the operation as it waits (its waits counted, no answer asked);
     *   <li>a seal: {@code sealed}, or {@code parked} while a restore settles ({@code sealsReady}
     *       false) so that it goes again;
     *   <li>delivered: feedback {@code settled} when its state asked for an answer; an erasure's
     *       outcome {@code done};
     *   <li>dead-lettered: the dead letter; feedback {@code settled} (refused) when its state asked
     *       for an answer or recorded it as sent; an erasure's outcome {@code failed}.
     * </ul>
     *
     * @param notSent per operation, why it was not sent, or null; null altogether when delivery
     *     never started (then every operation is parked with {@code undecided})
     * @param result what delivery decided for the operations that were sent, in order; null when
     *     none was
     */
    static List<DeliveryOutcome> forRequest(
            List<CustomerioOperation> operations,
            String[] notSent,
            DeliveryResult result,
            boolean sealsReady,
            String undecided,
            String restoreSettling,
            long nowMs) {
        List<DeliveryOutcome> out = new ArrayList<>(0);
        int sent = 0;
        for (int k = 0; k < operations.size(); k++) {
            CustomerioOperation op = operations.get(k);
            String why = notSent == null ? undecided : notSent[k];
            if (op.isSeal()) {
                out.add(
                        of(
                                SEAL.equals(why) && sealsReady
                                        ? DeliveryFeedback.sealed(op, nowMs)
                                        : DeliveryFeedback.parked(
                                                op,
                                                SEAL.equals(why) ? restoreSettling : why,
                                                nowMs)));
                continue;
            }
            if (why != null || result == null) {
                out.add(parked(op, why != null ? why : undecided, nowMs));
                continue;
            }
            int i = sent++;
            switch (result.outcome(i)) {
                case DELIVERED:
                    if (op.ackRequested) {
                        out.add(of(DeliveryFeedback.settled(op, true, nowMs)));
                    }
                    if (op.erasureRequestId != null) {
                        out.add(
                                of(
                                        ErasureOutcome.of(
                                                op.erasureRequestId,
                                                op.mpid,
                                                ErasureOutcome.DONE,
                                                "deleted in Customer.io; the forwarder's state was"
                                                        + " cleared. Events sent by anonymous id"
                                                        + " before the person was identified may"
                                                        + " remain in Customer.io for up to 30"
                                                        + " days, attached to nobody",
                                                nowMs)));
                    }
                    break;
                case DEAD:
                    DeadLetter dead = result.deadLetter(i);
                    out.add(of(dead));
                    if (op.ackRequested || op.effects != 0) {
                        out.add(of(DeliveryFeedback.settled(op, false, nowMs)));
                    }
                    if (op.erasureRequestId != null) {
                        out.add(
                                of(
                                        ErasureOutcome.of(
                                                op.erasureRequestId,
                                                op.mpid,
                                                ErasureOutcome.FAILED,
                                                "Customer.io refused the deletion ("
                                                        + dead.reason
                                                        + "); its dead letter has the details;"
                                                        + " the forwarder's state was cleared",
                                                nowMs)));
                    }
                    break;
                case PARKED:
                default:
                    out.add(parked(op, result.parkReason(i), nowMs));
            }
        }
        return out;
    }

    /** The operation as it waits: its waits counted, no answer asked. */
    private static DeliveryOutcome parked(CustomerioOperation op, String reason, long nowMs) {
        CustomerioOperation waiting = op.copy();
        waiting.waits++;
        waiting.ackRequested = false;
        return of(DeliveryFeedback.parked(waiting, reason, nowMs));
    }

    static DeliveryOutcome of(DeadLetter deadLetter) {
        DeliveryOutcome o = new DeliveryOutcome();
        o.deadLetter = deadLetter;
        return o;
    }

    static DeliveryOutcome of(DeliveryFeedback feedback) {
        DeliveryOutcome o = new DeliveryOutcome();
        o.feedback = feedback;
        return o;
    }

    static DeliveryOutcome of(ErasureOutcome erasure) {
        DeliveryOutcome o = new DeliveryOutcome();
        o.erasure = erasure;
        return o;
    }
}
