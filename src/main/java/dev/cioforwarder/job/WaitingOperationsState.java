package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.lanes.WaitingOperations;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;

/**
 * The user-state step's keyed map state of waiting operations, as the lane's {@link
 * WaitingOperations}: RocksDB iterates it in sequence order.
 */
final class WaitingOperationsState implements WaitingOperations {

    private final MapState<Long, CustomerioOperation> waitingOps;

    WaitingOperationsState(MapState<Long, CustomerioOperation> waitingOps) {
        this.waitingOps = waitingOps;
    }

    @Override
    public boolean add(CustomerioOperation op) {
        try {
            if (waitingOps.contains(op.seq)) {
                return false;
            }
            waitingOps.put(op.seq, op);
            return true;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write waiting operations", e);
        }
    }

    @Override
    public CustomerioOperation first() {
        try {
            Iterator<Map.Entry<Long, CustomerioOperation>> it = waitingOps.iterator();
            return it.hasNext() ? it.next().getValue() : null;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read waiting operations", e);
        }
    }

    @Override
    public void remove(long seq) {
        try {
            waitingOps.remove(seq);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write waiting operations", e);
        }
    }

    @Override
    public Iterable<CustomerioOperation> inOrder() {
        try {
            List<CustomerioOperation> all = new ArrayList<>();
            for (CustomerioOperation op : waitingOps.values()) {
                all.add(op);
            }
            return all;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read waiting operations", e);
        }
    }

    @Override
    public void replace(CustomerioOperation op) {
        try {
            waitingOps.put(op.seq, op);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write waiting operations", e);
        }
    }

    @Override
    public void clear() {
        waitingOps.clear();
    }
}
