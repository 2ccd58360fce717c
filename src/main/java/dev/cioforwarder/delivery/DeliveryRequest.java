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
