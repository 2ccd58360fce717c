package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request's operations grouped by user, by their indices in the request: how a request is split
 * so that one person's operations take nobody else's with them, while each person's keep their
 * order.
 */
final class UserGroups {

    private UserGroups() {}

    /**
     * The operations at {@code indices} grouped by user, each group in its order, users by first
     * seen.
     */
    static List<int[]> byUser(List<CustomerioOperation> operations, int[] indices) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i : indices) {
            groups.computeIfAbsent(operations.get(i).userKey, u -> new ArrayList<>()).add(i);
        }
        List<int[]> out = new ArrayList<>(groups.size());
        for (List<Integer> g : groups.values()) {
            out.add(g.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    /** The groups' indices together, in the request's order. */
    static int[] concat(List<int[]> parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int k = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        Arrays.sort(out);
        return out;
    }

    /** Whether {@code operations} hold any of anybody but {@code user}. */
    static boolean sharedWithOthers(List<CustomerioOperation> operations, String user) {
        for (CustomerioOperation op : operations) {
            if (!Objects.equals(user, op.userKey)) {
                return true;
            }
        }
        return false;
    }
}
