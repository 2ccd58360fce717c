package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Packs operations into {@code /api/v2/batch} requests under a byte budget, keeping each user's
 * order. The Flink operator around it adds the linger timer and the flush before each checkpoint
 * barrier.
 *
 * <p>Users are spread over lanes (a fixed hash of the user key), each with its own buffer, so two
 * requests of different lanes never hold the same user. Delivery sends a request only after every
 * earlier request holding one of its users was answered ({@link PerUserSequencer}); with one
 * buffer, a request of a few hundred users almost always shares one with the request before it (an
 * active user is in most of them), and the requests in flight then wait for each other like a
 * chain, each a full round trip behind the last. With as many lanes as requests in flight, the
 * lanes' requests go side by side, and a slow Customer.io costs latency, not throughput.
 *
 * <p>A lane fills up only under load. When the linger or a checkpoint ends the lanes' requests,
 * lanes whose operations fit together go in one request: below saturation the job then sends few,
 * full requests rather than a small one per lane, and such a request waits only for the earlier
 * requests of its own users, like any other. Lanes go together only when they fit under the budget
 * together, so under load, where each lane fills most of a request, they keep going side by side.
 */
public final class RequestBatcher {

    private final int maxRequestBytes;
    private final Lane[] lanes;
    private int bufferedOperations;

    private static final class Lane {
        List<CustomerioOperation> buffer = new ArrayList<>();
        long bufferedBytes;
        Set<String> users = new HashSet<>();
    }

    /** One lane: every request may share users with the one before it. */
    public RequestBatcher(int maxRequestBytes) {
        this(maxRequestBytes, 1);
    }

    /**
     * @param maxRequestBytes the budget for a whole request body, under Customer.io's 500 KB
     * @param lanes how many buffers users are spread over (at least 1)
     */
    public RequestBatcher(int maxRequestBytes, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        this.maxRequestBytes = maxRequestBytes;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane();
        }
    }

    /** The lane of {@code userKey}: a fixed spread of its hash, the same in every run. */
    public int laneOf(String userKey) {
        if (lanes.length == 1) {
            return 0;
        }
        // Flink assigns key groups by a murmur hash of hashCode(); a different mix keeps the
        // users of one subtask spread over every lane.
        int h = userKey.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), lanes.length);
    }

    /**
     * Adds an operation, handing every request it completes to {@code emit}: its lane's buffer when
     * the operation does not fit (it then starts the lane's next request), and the request an
     * operation marked {@link CustomerioOperation#lastInRequest} ends.
     */
    public void add(CustomerioOperation op, Consumer<DeliveryRequest> emit) {
        Lane lane = lanes[laneOf(op.userKey)];
        if (!lane.buffer.isEmpty()
                && BatchBody.size(lane.buffer.size() + 1, lane.bufferedBytes + op.body.length)
                        > maxRequestBytes) {
            emit(lane, emit);
        }
        lane.buffer.add(op);
        lane.users.add(op.userKey);
        lane.bufferedBytes += op.body.length;
        bufferedOperations++;
        if (op.lastInRequest) {
            emit(lane, emit);
        }
    }

    /**
     * Hands every buffered operation on: lanes in order, packed together into as few requests as
     * the byte budget allows (each lane's operations stay together, in their order).
     */
    public void flush(Consumer<DeliveryRequest> emit) {
        List<CustomerioOperation> packed = null;
        List<String> packedUsers = null;
        long packedBytes = 0;
        for (Lane lane : lanes) {
            if (lane.buffer.isEmpty()) {
                continue;
            }
            if (packed != null
                    && BatchBody.size(
                                    packed.size() + lane.buffer.size(),
                                    packedBytes + lane.bufferedBytes)
                            > maxRequestBytes) {
                emit.accept(DeliveryRequest.withUsers(packed, packedUsers));
                packed = null;
                packedBytes = 0;
            }
            packedBytes += lane.bufferedBytes;
            // A user has one lane: the lanes' user sets are disjoint, so their concatenation is
            // the request's distinct users.
            if (packed == null) {
                packedUsers = new ArrayList<>(lane.users);
                packed = take(lane);
            } else {
                packedUsers.addAll(lane.users);
                packed.addAll(take(lane));
            }
        }
        if (packed != null) {
            emit.accept(DeliveryRequest.withUsers(packed, packedUsers));
        }
    }

    /**
     * Hands on the request of {@code userKey}'s lane when it holds an operation of that user, so an
     * operation sent on its own after it keeps the user's order.
     */
    public void flushUser(String userKey, Consumer<DeliveryRequest> emit) {
        Lane lane = lanes[laneOf(userKey)];
        if (lane.users.contains(userKey)) {
            emit(lane, emit);
        }
    }

    private void emit(Lane lane, Consumer<DeliveryRequest> emit) {
        if (lane.buffer.isEmpty()) {
            return;
        }
        Set<String> users = lane.users;
        emit.accept(DeliveryRequest.withUsers(take(lane), users));
    }

    /** Empties the lane, returning what it held. */
    private List<CustomerioOperation> take(Lane lane) {
        List<CustomerioOperation> operations = lane.buffer;
        bufferedOperations -= operations.size();
        lane.buffer = new ArrayList<>();
        // A new set, not cleared: the old one may go on with the request as its users.
        lane.users = new HashSet<>();
        lane.bufferedBytes = 0;
        return operations;
    }

    /** Whether an operation of {@code userKey} waits in a buffer. */
    public boolean holdsUser(String userKey) {
        return lanes[laneOf(userKey)].users.contains(userKey);
    }

    public boolean isEmpty() {
        return bufferedOperations == 0;
    }

    public int bufferedOperations() {
        return bufferedOperations;
    }
}
