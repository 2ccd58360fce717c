package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request on its way: which of its operations are decided, and the future that completes once
 * all are. Parts of a split request decide their operations concurrently; each operation is decided
 * once (the first decision wins: a cancelled request's late answer changes nothing).
 */
final class RequestProgress {

    final List<CustomerioOperation> operations;
    final long startMs;
    private final DeliveryResult.Outcome[] outcomes;
    private final DeadLetter[] deadLetters;
    private final String[] parkReasons;
    private final CompletableFuture<DeliveryResult> result = new CompletableFuture<>();
    private int undecided;
    private volatile boolean cancelled;

    RequestProgress(List<CustomerioOperation> operations, long startMs) {
        this.operations = operations;
        this.startMs = startMs;
        int n = operations.size();
        outcomes = new DeliveryResult.Outcome[n];
        deadLetters = new DeadLetter[n];
        parkReasons = new String[n];
        undecided = n;
        if (n == 0) {
            complete();
        }
    }

    CompletableFuture<DeliveryResult> result() {
        return result;
    }

    boolean cancelled() {
        return cancelled || result.isDone();
    }

    void delivered(int i) {
        decide(i, DeliveryResult.Outcome.DELIVERED, null, null);
    }

    void dead(int i, DeadLetter deadLetter) {
        decide(i, DeliveryResult.Outcome.DEAD, deadLetter, null);
    }

    void parked(int i, String reason) {
        decide(i, DeliveryResult.Outcome.PARKED, null, reason);
    }

    boolean isDecided(int i) {
        synchronized (this) {
            return outcomes[i] != null;
        }
    }

    /** Stops every further attempt; what is not decided yet is parked with {@code reason}. */
    void cancel(String reason) {
        cancelled = true;
        for (int i = 0; i < outcomes.length; i++) {
            parked(i, reason);
        }
    }

    private void decide(int i, DeliveryResult.Outcome outcome, DeadLetter dead, String reason) {
        boolean complete;
        synchronized (this) {
            if (outcomes[i] != null) {
                return;
            }
            outcomes[i] = outcome;
            deadLetters[i] = dead;
            parkReasons[i] = reason;
            complete = --undecided == 0;
        }
        if (complete) {
            complete();
        }
    }

    private void complete() {
        result.complete(new DeliveryResult(operations, outcomes, deadLetters, parkReasons));
    }
}
