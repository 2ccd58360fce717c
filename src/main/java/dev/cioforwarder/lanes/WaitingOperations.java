package dev.cioforwarder.lanes;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.function.UnaryOperator;

/**
 * One user's operations waiting for Customer.io, by sequence number: in the job, the keyed map
 * state {@code waiting-operations} (RocksDB iterates it in key order); in tests, a sorted map.
 */
public interface WaitingOperations {

    /** Adds the operation under its sequence number; false when one is there already. */
    boolean add(CustomerioOperation op);

    /** The waiting operation with the lowest sequence number, or null. */
    CustomerioOperation first();

    /** Removes the operation with this sequence number. */
    void remove(long seq);

    /** Every waiting operation, in order: for re-addressing and expiry (rare paths). */
    Iterable<CustomerioOperation> inOrder();

    /** Replaces the operation stored under {@code op.seq}. */
    void replace(CustomerioOperation op);

    /** Drops them all (an erasure). */
    void clear();

    /** Rewrites every waiting operation (a rare path: a refused attach or identifier change). */
    default void replaceAll(UnaryOperator<CustomerioOperation> rewrite) {
        for (CustomerioOperation op : inOrder()) {
            CustomerioOperation rewritten = rewrite.apply(op);
            if (rewritten != op) {
                replace(rewritten);
            }
        }
    }
}
