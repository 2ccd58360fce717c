package dev.cioforwarder.job;

import java.util.ArrayList;
import java.util.List;

/**
 * How many operations (and users) wait in one parallel instance's state, kept per key group so that
 * the counts follow the users when a rescale moves key groups to other subtasks: each subtask
 * writes the counts of its key groups into a union list state, and after a restore keeps those of
 * the key groups it owns then. Only the task thread touches it; gauges read the totals.
 */
public final class WaitingCounts {

    /** One key group's counts: operator state of the user-state step. */
    public static class KeyGroupCount {
        public int keyGroup;
        public long operations;
        public long users;

        public KeyGroupCount() {}
    }

    private final int firstKeyGroup;
    private final long[] operations;
    private final long[] users;
    private volatile long totalOperations;
    private volatile long totalUsers;

    WaitingCounts(int firstKeyGroup, int lastKeyGroup) {
        this.firstKeyGroup = firstKeyGroup;
        int n = lastKeyGroup - firstKeyGroup + 1;
        operations = new long[n];
        users = new long[n];
    }

    void restore(Iterable<KeyGroupCount> counts) {
        for (KeyGroupCount c : counts) {
            int i = c.keyGroup - firstKeyGroup;
            if (i >= 0 && i < operations.length) {
                operations[i] += c.operations;
                users[i] += c.users;
                totalOperations += c.operations;
                totalUsers += c.users;
            }
        }
    }

    void add(int keyGroup, long operationsDelta, long usersDelta) {
        if (operationsDelta == 0 && usersDelta == 0) {
            return;
        }
        int i = keyGroup - firstKeyGroup;
        operations[i] += operationsDelta;
        users[i] += usersDelta;
        totalOperations += operationsDelta;
        totalUsers += usersDelta;
    }

    List<KeyGroupCount> snapshot() {
        List<KeyGroupCount> out = new ArrayList<>();
        for (int i = 0; i < operations.length; i++) {
            if (operations[i] != 0 || users[i] != 0) {
                KeyGroupCount c = new KeyGroupCount();
                c.keyGroup = firstKeyGroup + i;
                c.operations = operations[i];
                c.users = users[i];
                out.add(c);
            }
        }
        return out;
    }

    long operations() {
        return totalOperations;
    }

    long users() {
        return totalUsers;
    }
}
