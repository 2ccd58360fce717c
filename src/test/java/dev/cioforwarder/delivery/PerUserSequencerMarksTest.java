package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A parked operation holds back its user's later operations of the same or an earlier episode until
 * one of a later episode lifts the mark; marks are per user, keep their highest episode, age out,
 * and leave the request order per user as it is.
 */
class PerUserSequencerMarksTest {

    private static final long NOW = 1_764_320_400_000L;

    private final PerUserSequencer sequencer = new PerUserSequencer();

    @Test
    void nothingIsHeldBackWithoutAMark() {
        assertThat(sequencer.holdsBack("a", 0)).isFalse();
        assertThat(sequencer.holdsBack("a", 5)).isFalse();
        assertThat(sequencer.parkedUserCount()).isZero();
    }

    @Test
    void operationsOfTheSameOrAnEarlierEpisodeAreHeldBackAfterAMark() {
        sequencer.markParked("a", 3, NOW);

        assertThat(sequencer.holdsBack("a", 3)).isTrue();
        assertThat(sequencer.holdsBack("a", 2)).isTrue();
        assertThat(sequencer.holdsBack("a", 0)).isTrue();
        // Held back again and again: asking does not lift the mark.
        assertThat(sequencer.holdsBack("a", 3)).isTrue();
        assertThat(sequencer.parkedUserCount()).isEqualTo(1);
    }

    @Test
    void anOperationOfALaterEpisodeLiftsTheMarkAndTheRestOfItsEpisodePasses() {
        sequencer.markParked("a", 3, NOW);

        assertThat(sequencer.holdsBack("a", 4)).isFalse();
        assertThat(sequencer.parkedUserCount()).isZero();
        assertThat(sequencer.parkedUsers()).doesNotContainKey("a");
        assertThat(sequencer.holdsBack("a", 4)).isFalse();
        assertThat(sequencer.holdsBack("a", 4)).isFalse();
    }

    @Test
    void aNewMarkAfterTheLiftHoldsBackAgain() {
        sequencer.markParked("a", 3, NOW);
        assertThat(sequencer.holdsBack("a", 4)).isFalse();

        sequencer.markParked("a", 4, NOW + 1);
        assertThat(sequencer.holdsBack("a", 4)).isTrue();
        assertThat(sequencer.holdsBack("a", 5)).isFalse();
    }

    @Test
    void marksOfOtherUsersAreIndependent() {
        sequencer.markParked("a", 3, NOW);
        sequencer.markParked("b", 7, NOW);

        assertThat(sequencer.holdsBack("c", 0)).isFalse();
        assertThat(sequencer.holdsBack("b", 4)).isTrue();
        // Lifting a's mark leaves b's.
        assertThat(sequencer.holdsBack("a", 4)).isFalse();
        assertThat(sequencer.holdsBack("b", 7)).isTrue();
        assertThat(sequencer.parkedUsers()).containsOnlyKeys("b");
        assertThat(sequencer.parkedUserCount()).isEqualTo(1);
    }

    @Test
    void aHigherEpisodeMarkIsNeverReplacedByALowerOne() {
        sequencer.markParked("a", 5, NOW);
        sequencer.markParked("a", 3, NOW + 1_000);

        // Replaced by 3, an operation of episode 4 would pass and lift the mark.
        assertThat(sequencer.holdsBack("a", 4)).isTrue();
        assertThat(sequencer.holdsBack("a", 5)).isTrue();
        assertThat(sequencer.parkedUsers().get("a")).containsExactly(5, NOW);
    }

    @Test
    void aHigherEpisodeMarkReplacesALowerOne() {
        sequencer.markParked("a", 3, NOW);
        sequencer.markParked("a", 5, NOW + 1_000);

        assertThat(sequencer.holdsBack("a", 4)).isTrue();
        assertThat(sequencer.parkedUsers().get("a")).containsExactly(5, NOW + 1_000);
        assertThat(sequencer.holdsBack("a", 6)).isFalse();
    }

    @Test
    void parkedUsersListsEveryMarkWithItsEpisodeAndSince() {
        sequencer.markParked("a", 3, NOW);
        sequencer.markParked("b", 0, NOW + 5);

        Map<String, long[]> marks = sequencer.parkedUsers();
        assertThat(marks).containsOnlyKeys("a", "b");
        assertThat(marks.get("a")).containsExactly(3, NOW);
        assertThat(marks.get("b")).containsExactly(0, NOW + 5);

        // A copy: the checkpoint's map does not change the marks.
        marks.remove("a");
        assertThat(sequencer.holdsBack("a", 3)).isTrue();
    }

    @Test
    void restoringTheMarksOfACheckpointHoldsBackAsBefore() {
        sequencer.markParked("a", 3, NOW);
        sequencer.markParked("b", 1, NOW + 10);

        PerUserSequencer restored = new PerUserSequencer();
        sequencer
                .parkedUsers()
                .forEach((user, mark) -> restored.markParked(user, mark[0], mark[1]));

        assertThat(restored.holdsBack("a", 3)).isTrue();
        assertThat(restored.holdsBack("b", 1)).isTrue();
        assertThat(restored.parkedUsers().get("b")).containsExactly(1, NOW + 10);
    }

    @Test
    void forgetOlderThanDropsOnlyOldMarks() {
        sequencer.markParked("old", 1, NOW);
        sequencer.markParked("edge", 1, NOW + 4_000);
        sequencer.markParked("young", 1, NOW + 9_000);

        sequencer.forgetOlderThan(6_000, NOW + 10_000);

        assertThat(sequencer.parkedUsers()).containsOnlyKeys("edge", "young");
        assertThat(sequencer.holdsBack("old", 1)).isFalse();
        assertThat(sequencer.holdsBack("edge", 1)).isTrue();
        assertThat(sequencer.holdsBack("young", 1)).isTrue();

        sequencer.forgetOlderThan(6_000, NOW + 10_001);
        assertThat(sequencer.parkedUsers()).containsOnlyKeys("young");
    }

    @Test
    void aMarkAgesFromTheLatestParkOfItsUser() {
        sequencer.markParked("a", 2, NOW);
        // The same episode parked again later: an active user's mark is not old.
        sequencer.markParked("a", 2, NOW + 50_000);

        sequencer.forgetOlderThan(10_000, NOW + 55_000);
        assertThat(sequencer.parkedUsers()).containsOnlyKeys("a");

        sequencer.forgetOlderThan(10_000, NOW + 70_000);
        assertThat(sequencer.parkedUsers()).isEmpty();
    }

    @Test
    void ticketsStillOrderRequestsPerUserWhileMarksExist() {
        sequencer.markParked("a", 3, NOW);
        sequencer.markParked("b", 1, NOW);

        PerUserSequencer.Ticket first = sequencer.admit(Set.of("a", "b"));
        PerUserSequencer.Ticket second = sequencer.admit(Set.of("a"));
        PerUserSequencer.Ticket third = sequencer.admit(List.of("b", "c"));
        PerUserSequencer.Ticket other = sequencer.admit(Set.of("d"));

        assertThat(first.ready()).isDone();
        assertThat(second.ready()).isNotDone();
        assertThat(third.ready()).isNotDone();
        assertThat(other.ready()).isDone();

        first.release();
        assertThat(second.ready()).isDone();
        assertThat(third.ready()).isDone();

        PerUserSequencer.Ticket fourth = sequencer.admit(Set.of("a"));
        assertThat(fourth.ready()).isNotDone();
        second.release();
        assertThat(fourth.ready()).isDone();

        // The tickets left the marks alone, and the marks the tickets.
        assertThat(sequencer.holdsBack("a", 3)).isTrue();
        assertThat(sequencer.holdsBack("b", 1)).isTrue();
        third.release();
        fourth.release();
        other.release();
        assertThat(sequencer.trackedUsers()).isZero();
        assertThat(sequencer.parkedUserCount()).isEqualTo(2);
    }
}
