package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import java.util.List;

/**
 * What became of each operation of a request: delivered (Customer.io accepted it), dead-lettered
 * (refused, or given up), or parked (not delivered in time: it waits, in order, in its user's
 * state).
 */
public final class DeliveryResult {

    /** One operation's end in delivery. */
    public enum Outcome {
        DELIVERED,
        DEAD,
        PARKED
    }

    private final List<CustomerioOperation> operations;
    private final Outcome[] outcomes;
    private final DeadLetter[] deadLetters;
    private final String[] parkReasons;

    DeliveryResult(
            List<CustomerioOperation> operations,
            Outcome[] outcomes,
            DeadLetter[] deadLetters,
            String[] parkReasons) {
        this.operations = operations;
        this.outcomes = outcomes;
        this.deadLetters = deadLetters;
        this.parkReasons = parkReasons;
    }

    public int size() {
        return operations.size();
    }

    public CustomerioOperation operation(int i) {
        return operations.get(i);
    }

    public Outcome outcome(int i) {
        return outcomes[i];
    }

    /** The dead letter of a {@link Outcome#DEAD} operation. */
    public DeadLetter deadLetter(int i) {
        return deadLetters[i];
    }

    /** Why a {@link Outcome#PARKED} operation waits. */
    public String parkReason(int i) {
        return parkReasons[i];
    }

    public int count(Outcome outcome) {
        int n = 0;
        for (Outcome o : outcomes) {
            if (o == outcome) {
                n++;
            }
        }
        return n;
    }
}
