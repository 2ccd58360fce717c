package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.List;

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

    public DeliveryRequest() {
        operations = new ArrayList<>();
    }

    public DeliveryRequest(List<CustomerioOperation> operations) {
        this.operations = operations;
    }

    public int size() {
        return operations.size();
    }

    @Override
    public String toString() {
        return "DeliveryRequest{" + operations.size() + " operations}";
    }
}
