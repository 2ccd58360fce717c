package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One HTTP request's worth of operations: a {@code /api/v2/batch} request, or (v1 mode) a single
 * operation. A Flink POJO: it is what the AsyncIO operator keeps in its checkpointed queue, so it
 * may gain fields but must not lose or rename any.
 */
public class DeliveryRequest {

    public List<CustomerioOperation> operations;

    /**
     * The id of the last checkpoint whose barrier had passed the batcher when it emitted the
     * request (the restored checkpoint's id before the first one). A request restored from
     * checkpoint {@code n} carries less than {@code n}: delivery knows it was in flight at a
     * failure. Added in state version 5 (0 for requests restored from older checkpoints).
     */
    public long checkpointEpoch;

    /**
     * The distinct users of {@link #operations}, as the batcher collected them while the keys were
     * hot; computed again when absent (a request restored from a checkpoint, or one that crossed a
     * network boundary). Transient: not part of the checkpointed POJO.
     */
    private transient Collection<String> distinctUsers;

    public DeliveryRequest() {
        operations = new ArrayList<>();
    }

    public DeliveryRequest(List<CustomerioOperation> operations) {
        this.operations = operations;
    }

    /** A request whose distinct users are already known ({@code users}: each once). */
    public static DeliveryRequest withUsers(
            List<CustomerioOperation> operations, Collection<String> users) {
        DeliveryRequest request = new DeliveryRequest(operations);
        request.distinctUsers = users;
        return request;
    }

    /** Each user of the operations once. */
    public Collection<String> distinctUsers() {
        if (distinctUsers == null) {
            if (operations.size() == 1) {
                distinctUsers = Collections.singleton(operations.get(0).userKey);
            } else {
                Set<String> users = new LinkedHashSet<>();
                for (CustomerioOperation op : operations) {
                    users.add(op.userKey);
                }
                distinctUsers = users;
            }
        }
        return distinctUsers;
    }

    public int size() {
        return operations.size();
    }

    @Override
    public String toString() {
        return "DeliveryRequest{" + operations.size() + " operations}";
    }
}
