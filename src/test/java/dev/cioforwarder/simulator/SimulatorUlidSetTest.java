package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.ulid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link UlidSet}: the compact set of event ids behind deduplication. */
class SimulatorUlidSetTest {

    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /** A random valid ULID: 26 Crockford characters, the first at most 7. */
    private static String randomUlid(Random random) {
        char[] c = new char[26];
        c[0] = CROCKFORD.charAt(random.nextInt(8));
        for (int i = 1; i < 26; i++) {
            c[i] = CROCKFORD.charAt(random.nextInt(32));
        }
        return new String(c);
    }

    @Test
    void holdsManyIdsAcrossGrowthAndDetectsEveryDuplicate() {
        UlidSet set = new UlidSet();
        int n = 200_000; // the table starts at 1,024 slots: it doubles many times
        for (int i = 0; i < n; i++) {
            assertThat(set.add(ulid(i))).as("first add of %d", i).isTrue();
        }
        assertThat(set.size()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(set.add(ulid(i))).as("second add of %d", i).isFalse();
        }
        assertThat(set.size()).isEqualTo(n);
        assertThat(set.add(ulid(n))).isTrue();
    }

    @Test
    void agreesWithAHashSetOnRandomIds() {
        Random random = new Random(42);
        UlidSet set = new UlidSet();
        Set<String> reference = new HashSet<>();
        String[] drawn = new String[20_000];
        for (int i = 0; i < drawn.length; i++) {
            // Every third id repeats an earlier one.
            drawn[i] = i > 0 && i % 3 == 0 ? drawn[random.nextInt(i)] : randomUlid(random);
            assertThat(set.add(drawn[i])).isEqualTo(reference.add(drawn[i]));
        }
        assertThat(set.size()).isEqualTo(reference.size());
    }

    /** A valid ULID with this time part (ms) and a random rest. */
    private static String ulidAt(long timeMs, Random random) {
        char[] c = new char[26];
        long t = timeMs;
        for (int i = 9; i >= 0; i--) {
            c[i] = CROCKFORD.charAt((int) (t & 31));
            t >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            c[i] = CROCKFORD.charAt(random.nextInt(32));
        }
        return new String(c);
    }

    @Test
    void idsOfEventsCloseInTimeAreDeduplicatedAcrossTheirTimeGroups() {
        // As the job's ids come: the time part is the event time, here 20 minutes of it with
        // hundreds of ids a second, so they fill a few thousand groups, each growing many times.
        Random random = new Random(7);
        UlidSet set = new UlidSet();
        Set<String> reference = new HashSet<>();
        String[] drawn = new String[300_000];
        long start = 1_764_000_000_000L;
        for (int i = 0; i < drawn.length; i++) {
            long time = start + i * 4L - random.nextInt(5_000);
            drawn[i] = i > 0 && i % 5 == 0 ? drawn[random.nextInt(i)] : ulidAt(time, random);
            assertThat(set.add(drawn[i])).as("add %d", i).isEqualTo(reference.add(drawn[i]));
        }
        assertThat(set.size()).isEqualTo(reference.size());
        for (String id : reference) {
            assertThat(set.add(id)).as(id).isFalse();
        }
        assertThat(set.size()).isEqualTo(reference.size());
    }

    @Test
    void idsScatteredOverTimeStayDeduplicatedWhenTheyMoveIntoOneTable() {
        // Thousands of times with one id each: the groups would cost more than the ids, so the
        // ids move into one table; the ones seen before the move are still known after it.
        Random random = new Random(11);
        UlidSet set = new UlidSet();
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String id = randomUlid(random);
            before.add(id);
            assertThat(set.add(id)).isTrue();
        }
        for (String id : before) {
            assertThat(set.add(id)).as(id).isFalse();
        }
        for (int i = 0; i < 10_000; i++) {
            assertThat(set.add(randomUlid(random))).isTrue();
        }
        assertThat(set.size()).isEqualTo(20_000);
        assertThat(set.add("00000000000000000000000000")).isTrue();
        assertThat(set.add("00000000000000000000000000")).isFalse();
        assertThat(set.size()).isEqualTo(20_001);
    }

    @Test
    void idsThatDifferInOneCharacterAnywhereAreDistinct() {
        UlidSet set = new UlidSet();
        String base = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        assertThat(set.add(base)).isTrue();
        int added = 1;
        for (int position = 0; position < 26; position++) {
            int limit = position == 0 ? 8 : 32;
            for (int v = 0; v < limit; v++) {
                char c = CROCKFORD.charAt(v);
                if (c == base.charAt(position)) {
                    continue;
                }
                String other = base.substring(0, position) + c + base.substring(position + 1);
                assertThat(set.add(other)).as(other).isTrue();
                added++;
            }
        }
        assertThat(set.size()).isEqualTo(added);
        // The highest and lowest bits both count.
        UlidSet edges = new UlidSet();
        assertThat(edges.add("00000000000000000000000000")).isTrue();
        assertThat(edges.add("00000000000000000000000001")).isTrue();
        assertThat(edges.add("40000000000000000000000000")).isTrue();
        assertThat(edges.add("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isTrue();
        assertThat(edges.add("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isFalse();
        assertThat(edges.size()).isEqualTo(4);
    }

    @Test
    void idsThatAreNotUlidsAreStillDeduplicated() {
        UlidSet set = new UlidSet();
        assertThat(set.add("not-a-ulid")).isTrue();
        assertThat(set.add("not-a-ulid")).isFalse();
        assertThat(set.add("01arz3ndektsv4rrffq69g5fav")).isTrue();
        assertThat(set.add("01ARZ3NDEKTSV4RRFFQ69G5FAV")).isTrue();
        assertThat(set.size()).isEqualTo(3);
    }

    @Test
    void clearForgetsEverything() {
        UlidSet set = new UlidSet();
        for (int i = 0; i < 5_000; i++) {
            set.add(ulid(i));
        }
        set.add("other");

        set.clear();

        assertThat(set.size()).isZero();
        assertThat(set.add(ulid(1))).isTrue();
        assertThat(set.add("other")).isTrue();
        assertThat(set.add(ulid(1))).isFalse();
    }
}
