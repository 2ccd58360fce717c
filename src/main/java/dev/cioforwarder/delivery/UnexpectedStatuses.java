package dev.cioforwarder.delivery;

import java.util.concurrent.ConcurrentHashMap;

/**
 * People whose operations were answered with an unexpected status (3xx, 404, 409, ...) a moment
 * ago: since when, so their budget is counted from the first answer rather than per request, and so
 * later requests send them apart from everyone else.
 */
final class UnexpectedStatuses {

    /** More than this many people at once is no longer about people: forget the oldest. */
    private static final int MAX_PEOPLE = 10_000;

    private final long memoryMs;
    private final ConcurrentHashMap<String, long[]> byUser = new ConcurrentHashMap<>();

    /**
     * @param memoryMs a person not answered so for this long is forgotten
     */
    UnexpectedStatuses(long memoryMs) {
        this.memoryMs = memoryMs;
    }

    /** Records an answer; returns since when the person has been answered so. */
    long record(String user, int status, long nowMs) {
        if (byUser.size() >= MAX_PEOPLE) {
            byUser.entrySet().removeIf(e -> nowMs - e.getValue()[1] > memoryMs);
            if (byUser.size() >= MAX_PEOPLE) {
                byUser.clear();
            }
        }
        long[] entry =
                byUser.compute(
                        user,
                        (u, e) -> {
                            if (e == null || nowMs - e[1] > memoryMs) {
                                return new long[] {nowMs, nowMs, status};
                            }
                            e[1] = nowMs;
                            return e;
                        });
        return entry[0];
    }

    boolean isRecent(String user, long nowMs) {
        long[] e = byUser.get(user);
        return e != null && nowMs - e[1] <= memoryMs;
    }

    boolean isEmpty() {
        return byUser.isEmpty();
    }
}
