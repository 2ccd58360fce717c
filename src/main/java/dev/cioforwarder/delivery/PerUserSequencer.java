package dev.cioforwarder.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each user's requests in order without holding other users back: a request may be sent only
 * when every earlier request holding one of its users has completed. It remembers, per user, the
 * completion of the latest admitted request holding them; requests must be admitted in input order
 * (the AsyncIO operator calls {@code asyncInvoke} in that order, also when it replays its queue
 * after a restore).
 */
public final class PerUserSequencer {

    private final ConcurrentHashMap<String, CompletableFuture<Void>> latestByUser =
            new ConcurrentHashMap<>();

    /** A request's place in line. */
    public final class Ticket {
        private final Collection<String> users;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private CompletableFuture<Void> ready;

        private Ticket(Collection<String> users) {
            this.users = users;
        }

        /** Completes when the request may be sent. */
        public CompletableFuture<Void> ready() {
            return ready;
        }

        /** The request completed (delivered or given up): later requests of its users may go. */
        public void release() {
            done.complete(null);
            for (String user : users) {
                latestByUser.remove(user, done);
            }
        }
    }

    /** Admits a request holding {@code distinctUsers}; call in input order. */
    public Ticket admit(Collection<String> distinctUsers) {
        Ticket ticket = new Ticket(distinctUsers);
        List<CompletableFuture<Void>> earlier = new ArrayList<>(0);
        for (String user : distinctUsers) {
            CompletableFuture<Void> previous = latestByUser.put(user, ticket.done);
            if (previous != null && !previous.isDone()) {
                earlier.add(previous);
            }
        }
        ticket.ready =
                earlier.isEmpty()
                        ? CompletableFuture.completedFuture(null)
                        : CompletableFuture.allOf(earlier.toArray(new CompletableFuture[0]));
        return ticket;
    }

    /** Users with a request in flight, for the metric and for tests. */
    public int trackedUsers() {
        return latestByUser.size();
    }
}
