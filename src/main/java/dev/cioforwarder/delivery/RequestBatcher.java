package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs operations into {@code /api/v2/batch} requests under a byte budget, keeping their order.
 * The Flink operator around it adds the linger timer and the flush before each checkpoint barrier.
 */
public final class RequestBatcher {

    private final int maxRequestBytes;
    private List<CustomerioOperation> buffer = new ArrayList<>();
    private long bufferedBytes;

    /**
     * @param maxRequestBytes the budget for a whole request body, under Customer.io's 500 KB
     */
    public RequestBatcher(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * Adds an operation; returns the full request it closes, or null. The operation that does not
     * fit starts the next request.
     */
    public DeliveryRequest add(CustomerioOperation op) {
        DeliveryRequest full = null;
        if (!buffer.isEmpty()
                && BatchBody.size(buffer.size() + 1, bufferedBytes + op.body.length)
                        > maxRequestBytes) {
            full = flush();
        }
        buffer.add(op);
        bufferedBytes += op.body.length;
        return full;
    }

    /** The buffered operations as one request, or null when there are none. */
    public DeliveryRequest flush() {
        if (buffer.isEmpty()) {
            return null;
        }
        DeliveryRequest request = new DeliveryRequest(buffer);
        buffer = new ArrayList<>();
        bufferedBytes = 0;
        return request;
    }

    public boolean isEmpty() {
        return buffer.isEmpty();
    }

    public int bufferedOperations() {
        return buffer.size();
    }
}
