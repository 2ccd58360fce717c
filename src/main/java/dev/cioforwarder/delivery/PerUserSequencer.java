package dev.cioforwarder.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each user's operations in order inside delivery, without holding other users back.
 *
 * <ul>
 *   <li>A request may be sent only when every earlier request holding one of its users has
 *       completed. It remembers, per user, the completion of the latest admitted request holding
 *       them; requests must be admitted in input order (the AsyncIO operator calls {@code
 *       asyncInvoke} in that order, also when it replays its queue after a restore).
 *   <li>Once an operation of a user has been parked (it waits in the user's state), every later
 *       operation of that user is parked too, until the user's state shows it has taken their order
 *       over: an operation of a later episode (a seal or a probe) lifts the mark. The marks are
 *       part of the checkpoint ({@link #parkedUsers()}): an operation parked just before a
 *       checkpoint still holds its user's later ones back after a restore from it.
 * </ul>
 */
public final class PerUserSequencer {

    private final ConcurrentHashMap<String, CompletableFuture<Void>> latestByUser =
            new ConcurrentHashMap<>();

    /** User → the episode of their parked operation, and since when ({episode, sinceMs}). */
    private final ConcurrentHashMap<String, long[]> parked = new ConcurrentHashMap<>();

    /** A request's place in line: one part per user of it. */
    public final class Ticket {
        private final Collection<String> users;
        private final Map<String, CompletableFuture<Void>> doneByUser;
        private CompletableFuture<Void> ready;

        private Ticket(Collection<String> users) {
            this.users = users;
            this.doneByUser = new HashMap<>(users.size() * 2);
        }

        /** Completes when the request may be sent. */
        public CompletableFuture<Void> ready() {
            return ready;
        }

        /**
         * This user's part of the request is over, and left nothing behind that must reach the
         * user's state before their next request's (every operation of theirs delivered, none
         * asking for an answer): their later requests may go now, whatever the rest of this request
         * still waits for.
         */
        public void release(String user) {
            CompletableFuture<Void> done;
            synchronized (this) {
                done = doneByUser.remove(user);
            }
            if (done != null) {
                done.complete(null);
                latestByUser.remove(user, done);
            }
        }

        /**
         * The request completed (every operation delivered, dead-lettered or parked): later
         * requests of its users may go. Call after the request's result was handed on, so later
         * requests' results follow it.
         */
        public void release() {
            for (String user : users) {
                release(user);
            }
        }
    }

    /** Admits a request holding {@code distinctUsers}; call in input order. */
    public Ticket admit(Collection<String> distinctUsers) {
        Ticket ticket = new Ticket(distinctUsers);
        List<CompletableFuture<Void>> earlier = new ArrayList<>(0);
        for (String user : distinctUsers) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            ticket.doneByUser.put(user, done);
            CompletableFuture<Void> previous = latestByUser.put(user, done);
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

    /** An operation of {@code user} from {@code episode} was parked. */
    public void markParked(String user, long episode, long nowMs) {
        // The highest episode stays; its time is the latest park, so an active user's mark is
        // never forgotten as old.
        parked.merge(
                user,
                new long[] {episode, nowMs},
                (old, fresh) ->
                        old[0] > fresh[0]
                                ? old
                                : new long[] {
                                    fresh[0], Math.max(old[0] == fresh[0] ? old[1] : 0, fresh[1])
                                });
    }

    /**
     * Whether an operation of {@code user} from {@code episode} must be parked because an earlier
     * one of theirs was; an operation of a later episode lifts the mark (the user's state has taken
     * their order over).
     */
    public boolean holdsBack(String user, long episode) {
        long[] mark = parked.get(user);
        if (mark == null) {
            return false;
        }
        if (episode > mark[0]) {
            parked.remove(user, mark);
            return false;
        }
        return true;
    }

    /** The marks, for the checkpoint: user → {episode, sinceMs}. */
    public Map<String, long[]> parkedUsers() {
        Map<String, long[]> copy = new HashMap<>();
        parked.forEach((user, mark) -> copy.put(user, mark.clone()));
        return copy;
    }

    /** Users whose later operations are parked, for the metric. */
    public int parkedUserCount() {
        return parked.size();
    }

    /** Forgets marks older than {@code maxAgeMs}: their users' state took over long ago. */
    public void forgetOlderThan(long maxAgeMs, long nowMs) {
        parked.values().removeIf(mark -> nowMs - mark[1] > maxAgeMs);
    }

    /** Users with a request in flight, for the metric and for tests. */
    public int trackedUsers() {
        return latestByUser.size();
    }
}
