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
    private final UserDecided userDecided;
    private final java.util.Map<String, int[]> undecidedByUser;

    /** Told when every operation of one user of the request is decided. */
    @FunctionalInterface
    interface UserDecided {
        void decided(String user, boolean allDelivered);
    }

    RequestProgress(List<CustomerioOperation> operations, long startMs) {
        this(operations, startMs, null);
    }

    /**
     * @param userDecided told, once per user, when all of the user's operations are decided (and
     *     whether all were delivered); may be null
     */
    RequestProgress(List<CustomerioOperation> operations, long startMs, UserDecided userDecided) {
        this.operations = operations;
        this.startMs = startMs;
        this.userDecided = userDecided;
        if (userDecided != null) {
            undecidedByUser = new java.util.HashMap<>();
            for (CustomerioOperation op : operations) {
                // {operations left, 1 while all so far were delivered}
                undecidedByUser.computeIfAbsent(op.userKey, u -> new int[] {0, 1})[0]++;
            }
        } else {
            undecidedByUser = null;
        }
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
        String userDone = null;
        boolean userAllDelivered = false;
        synchronized (this) {
            if (outcomes[i] != null) {
                return;
            }
            outcomes[i] = outcome;
            deadLetters[i] = dead;
            parkReasons[i] = reason;
            complete = --undecided == 0;
            if (undecidedByUser != null) {
                String user = operations.get(i).userKey;
                int[] left = undecidedByUser.get(user);
                if (outcome != DeliveryResult.Outcome.DELIVERED) {
                    left[1] = 0;
                }
                if (--left[0] == 0) {
                    userDone = user;
                    userAllDelivered = left[1] == 1;
                }
            }
        }
        if (userDone != null && !complete) {
            // Before the result: a user done early lets their next request go early.
            userDecided.decided(userDone, userAllDelivered);
        }
        if (complete) {
            complete();
        }
    }

    private void complete() {
        result.complete(new DeliveryResult(operations, outcomes, deadLetters, parkReasons));
    }
}
