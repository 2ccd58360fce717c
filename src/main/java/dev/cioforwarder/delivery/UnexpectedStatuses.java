package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The operations at {@code indices} split into one part per person recently answered so, then
     * one with everybody else; null when there is nobody such, or only one person.
     */
    List<int[]> apart(List<CustomerioOperation> operations, int[] indices, long nowMs) {
        List<int[]> groups = UserGroups.byUser(operations, indices);
        if (groups.size() < 2) {
            return null;
        }
        List<int[]> apart = new ArrayList<>();
        List<int[]> rest = new ArrayList<>();
        for (int[] g : groups) {
            String user = operations.get(g[0]).userKey;
            (isRecent(user, nowMs) ? apart : rest).add(g);
        }
        if (apart.isEmpty()) {
            return null;
        }
        if (!rest.isEmpty()) {
            apart.add(UserGroups.concat(rest));
        }
        return apart;
    }
}
