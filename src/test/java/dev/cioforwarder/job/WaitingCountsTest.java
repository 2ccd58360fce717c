package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/**
 * Waiting counts add up per key group, and follow their key groups through a rescale: after a
 * restore each subtask holds exactly the counts of the key groups it owns.
 */
class WaitingCountsTest {

    private static final int MAX_PARALLELISM = 720;

    private static KeyGroupRange range(int parallelism, int subtask) {
        return KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(
                MAX_PARALLELISM, parallelism, subtask);
    }

    private static WaitingCounts countsFor(int parallelism, int subtask) {
        KeyGroupRange r = range(parallelism, subtask);
        return new WaitingCounts(r.getStartKeyGroup(), r.getEndKeyGroup());
    }

    private static WaitingCounts.KeyGroupCount count(int keyGroup, long operations, long users) {
        WaitingCounts.KeyGroupCount c = new WaitingCounts.KeyGroupCount();
        c.keyGroup = keyGroup;
        c.operations = operations;
        c.users = users;
        return c;
    }

    /** keyGroup → {operations, users}. */
    private static Map<Integer, long[]> byKeyGroup(List<WaitingCounts.KeyGroupCount> snapshot) {
        Map<Integer, long[]> out = new HashMap<>();
        for (WaitingCounts.KeyGroupCount c : snapshot) {
            assertThat(out.put(c.keyGroup, new long[] {c.operations, c.users}))
                    .as("key group %d twice in one snapshot", c.keyGroup)
                    .isNull();
        }
        return out;
    }

    @Test
    void countsOfAKeyGroupAddUpAndTheTotalsFollow() {
        WaitingCounts counts = new WaitingCounts(100, 199);
        counts.add(100, 3, 1);
        counts.add(100, 2, 0);
        counts.add(150, 7, 2);
        counts.add(199, 1, 1);
        counts.add(150, -4, -1);

        assertThat(counts.operations()).isEqualTo(9);
        assertThat(counts.users()).isEqualTo(3);
        Map<Integer, long[]> snapshot = byKeyGroup(counts.snapshot());
        assertThat(snapshot).containsOnlyKeys(100, 150, 199);
        assertThat(snapshot.get(100)).containsExactly(5, 1);
        assertThat(snapshot.get(150)).containsExactly(3, 1);
        assertThat(snapshot.get(199)).containsExactly(1, 1);
    }

    @Test
    void theSnapshotHoldsOnlyKeyGroupsWithSomethingWaiting() {
        WaitingCounts counts = new WaitingCounts(0, 359);
        assertThat(counts.snapshot()).isEmpty();

        counts.add(10, 4, 1);
        counts.add(20, 2, 1);
        counts.add(10, -4, -1); // everything of key group 10 left
        counts.add(30, 0, 0);
        counts.add(40, 0, 1); // a user waiting with no operation counted is still kept
        counts.add(50, 1, 0);

        assertThat(byKeyGroup(counts.snapshot())).containsOnlyKeys(20, 40, 50);
        assertThat(counts.operations()).isEqualTo(3);
        assertThat(counts.users()).isEqualTo(2);
    }

    @Test
    void aRestoreKeepsOnlyTheKeyGroupsOfTheSubtask() {
        WaitingCounts counts = new WaitingCounts(240, 479);
        counts.restore(
                List.of(
                        count(0, 100, 10),
                        count(239, 100, 10),
                        count(240, 5, 1),
                        count(479, 6, 2),
                        count(480, 100, 10),
                        count(719, 100, 10)));

        assertThat(counts.operations()).isEqualTo(11);
        assertThat(counts.users()).isEqualTo(3);
        assertThat(byKeyGroup(counts.snapshot())).containsOnlyKeys(240, 479);
    }

    @Test
    void aRescaleFromTwoToThreeSubtasksKeepsEveryCountWithItsKeyGroup() {
        Random random = new Random(720);
        Map<Integer, long[]> expected = new HashMap<>();
        List<WaitingCounts.KeyGroupCount> union = new ArrayList<>();
        long totalOperations = 0;
        long totalUsers = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            WaitingCounts old = countsFor(2, subtask);
            KeyGroupRange r = range(2, subtask);
            for (int kg = r.getStartKeyGroup(); kg <= r.getEndKeyGroup(); kg++) {
                if (random.nextInt(3) == 0) {
                    continue; // nothing waits in about a third of the key groups
                }
                long users = 1 + random.nextInt(5);
                long operations = users + random.nextInt(50);
                old.add(kg, operations, users);
                expected.put(kg, new long[] {operations, users});
                totalOperations += operations;
                totalUsers += users;
            }
            // A union list state: every new subtask gets every old subtask's snapshot.
            union.addAll(old.snapshot());
        }

        long restoredOperations = 0;
        long restoredUsers = 0;
        Map<Integer, long[]> restored = new HashMap<>();
        for (int subtask = 0; subtask < 3; subtask++) {
            WaitingCounts now = countsFor(3, subtask);
            now.restore(union);
            Map<Integer, long[]> own = byKeyGroup(now.snapshot());
            KeyGroupRange r = range(3, subtask);
            long operations = 0;
            long users = 0;
            for (Map.Entry<Integer, long[]> e : own.entrySet()) {
                assertThat(r.contains(e.getKey()))
                        .as("subtask %d of 3 holds key group %d", subtask, e.getKey())
                        .isTrue();
                assertThat(e.getValue())
                        .as("key group %d", e.getKey())
                        .containsExactly(expected.get(e.getKey()));
                operations += e.getValue()[0];
                users += e.getValue()[1];
                restored.put(e.getKey(), e.getValue());
            }
            for (int kg = r.getStartKeyGroup(); kg <= r.getEndKeyGroup(); kg++) {
                if (expected.containsKey(kg)) {
                    assertThat(own).as("subtask %d of 3", subtask).containsKey(kg);
                }
            }
            assertThat(now.operations()).as("subtask %d of 3", subtask).isEqualTo(operations);
            assertThat(now.users()).as("subtask %d of 3", subtask).isEqualTo(users);
            restoredOperations += now.operations();
            restoredUsers += now.users();
        }

        assertThat(restored.keySet()).isEqualTo(expected.keySet());
        assertThat(restoredOperations).isEqualTo(totalOperations);
        assertThat(restoredUsers).isEqualTo(totalUsers);
    }

    @Test
    void aRescaleBackFromThreeToTwoSubtasksKeepsTheTotals() {
        List<WaitingCounts.KeyGroupCount> union = new ArrayList<>();
        long totalOperations = 0;
        for (int subtask = 0; subtask < 3; subtask++) {
            WaitingCounts old = countsFor(3, subtask);
            KeyGroupRange r = range(3, subtask);
            // The first and last key group of each range: the ones a wrong boundary would lose.
            old.add(r.getStartKeyGroup(), 1, 1);
            old.add(r.getEndKeyGroup(), 10, 1);
            totalOperations += 11;
            union.addAll(old.snapshot());
        }

        long restoredOperations = 0;
        long restoredUsers = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            WaitingCounts now = countsFor(2, subtask);
            now.restore(union);
            restoredOperations += now.operations();
            restoredUsers += now.users();
        }

        assertThat(restoredOperations).isEqualTo(totalOperations);
        assertThat(restoredUsers).isEqualTo(6);
    }
}
