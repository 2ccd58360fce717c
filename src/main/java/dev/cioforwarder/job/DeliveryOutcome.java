package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.privacy.ErasureOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the delivery step reports for a request: a dead letter of a refused operation, or the
 * outcome of an erasure's deletion. A Flink POJO; exactly one field is set.
 */
public class DeliveryOutcome {

    public DeadLetter deadLetter;

    public ErasureOutcome erasure;

    public DeliveryOutcome() {}

    /**
     * What a delivered request reports: its dead letters, and the outcome of each erasure among its
     * operations (failed when that deletion is among the dead letters, done otherwise).
     */
    static List<DeliveryOutcome> forRequest(
            List<CustomerioOperation> operations, List<DeadLetter> dead, long nowMs) {
        List<DeliveryOutcome> out = new ArrayList<>(dead.size());
        for (DeadLetter d : dead) {
            out.add(of(d));
        }
        for (CustomerioOperation op : operations) {
            if (op.erasureRequestId == null) {
                continue;
            }
            DeadLetter failure = null;
            for (DeadLetter d : dead) {
                // One request may erase several MPIDs: each deletion has its own outcome.
                if (op.erasureRequestId.equals(d.erasureRequestId)
                        && Objects.equals(op.mpid, d.mpid)) {
                    failure = d;
                }
            }
            out.add(
                    of(
                            failure == null
                                    ? ErasureOutcome.of(
                                            op.erasureRequestId,
                                            op.mpid,
                                            ErasureOutcome.DONE,
                                            "deleted in Customer.io; the forwarder's state was"
                                                    + " cleared",
                                            nowMs)
                                    : ErasureOutcome.of(
                                            op.erasureRequestId,
                                            op.mpid,
                                            ErasureOutcome.FAILED,
                                            "Customer.io refused the deletion ("
                                                    + failure.reason
                                                    + "); its dead letter has the details; the"
                                                    + " forwarder's state was cleared",
                                            nowMs)));
        }
        return out;
    }

    static DeliveryOutcome of(DeadLetter deadLetter) {
        DeliveryOutcome o = new DeliveryOutcome();
        o.deadLetter = deadLetter;
        return o;
    }

    static DeliveryOutcome of(ErasureOutcome erasure) {
        DeliveryOutcome o = new DeliveryOutcome();
        o.erasure = erasure;
        return o;
    }
}
