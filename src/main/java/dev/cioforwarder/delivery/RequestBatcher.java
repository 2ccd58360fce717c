package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Packs operations into {@code /api/v2/batch} requests under a byte budget, keeping their order.
 * The Flink operator around it adds the linger timer and the flush before each checkpoint barrier.
 */
public final class RequestBatcher {

    private final int maxRequestBytes;
    private List<CustomerioOperation> buffer = new ArrayList<>();
    private long bufferedBytes;
    private final Set<String> bufferedUsers = new HashSet<>();

    /**
     * @param maxRequestBytes the budget for a whole request body, under Customer.io's 500 KB
     */
    public RequestBatcher(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    /**
     * Adds an operation, handing every request it completes to {@code emit}: the buffer when the
     * operation does not fit (it then starts the next request), and the request an operation marked
     * {@link CustomerioOperation#lastInRequest} ends.
     */
    public void add(CustomerioOperation op, Consumer<DeliveryRequest> emit) {
        if (!buffer.isEmpty()
                && BatchBody.size(buffer.size() + 1, bufferedBytes + op.body.length)
                        > maxRequestBytes) {
            emit.accept(flush());
        }
        buffer.add(op);
        bufferedUsers.add(op.userKey);
        bufferedBytes += op.body.length;
        if (op.lastInRequest) {
            emit.accept(flush());
        }
    }

    /** The buffered operations as one request, or null when there are none. */
    public DeliveryRequest flush() {
        if (buffer.isEmpty()) {
            return null;
        }
        DeliveryRequest request = new DeliveryRequest(buffer);
        buffer = new ArrayList<>();
        bufferedUsers.clear();
        bufferedBytes = 0;
        return request;
    }

    /** Whether an operation of {@code userKey} waits in the buffer. */
    public boolean holdsUser(String userKey) {
        return bufferedUsers.contains(userKey);
    }

    public boolean isEmpty() {
        return buffer.isEmpty();
    }

    public int bufferedOperations() {
        return buffer.size();
    }
}
