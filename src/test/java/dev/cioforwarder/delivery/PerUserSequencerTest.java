package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PerUserSequencerTest {

    private final PerUserSequencer sequencer = new PerUserSequencer();

    @Test
    void aRequestWaitsForEveryEarlierRequestOfItsUsers() {
        PerUserSequencer.Ticket first = sequencer.admit(Set.of("a", "b"));
        PerUserSequencer.Ticket second = sequencer.admit(Set.of("b"));
        PerUserSequencer.Ticket third = sequencer.admit(List.of("a", "c"));

        assertThat(first.ready()).isDone();
        assertThat(second.ready()).isNotDone();
        assertThat(third.ready()).isNotDone();

        first.release();
        assertThat(second.ready()).isDone();
        assertThat(third.ready()).isDone();
    }

    @Test
    void otherUsersAreNotHeldBack() {
        PerUserSequencer.Ticket slow = sequencer.admit(Set.of("a"));
        PerUserSequencer.Ticket other = sequencer.admit(Set.of("z"));
        assertThat(slow.ready()).isDone();
        assertThat(other.ready()).isDone();
    }

    @Test
    void chainsKeepOrderAcrossManyRequests() {
        PerUserSequencer.Ticket r1 = sequencer.admit(Set.of("a"));
        PerUserSequencer.Ticket r2 = sequencer.admit(Set.of("a"));
        PerUserSequencer.Ticket r3 = sequencer.admit(Set.of("a"));
        r1.release();
        assertThat(r2.ready()).isDone();
        assertThat(r3.ready()).isNotDone();
        r2.release();
        assertThat(r3.ready()).isDone();
    }

    @Test
    void forgetsUsersWhoseRequestsCompleted() {
        PerUserSequencer.Ticket r1 = sequencer.admit(Set.of("a", "b"));
        PerUserSequencer.Ticket r2 = sequencer.admit(Set.of("b"));
        assertThat(sequencer.trackedUsers()).isEqualTo(2);
        r1.release();
        assertThat(sequencer.trackedUsers()).isEqualTo(1);
        r2.release();
        assertThat(sequencer.trackedUsers()).isZero();
    }

    @Test
    void aUserReleasedEarlyGoesOnWhileTheOthersOfTheRequestStillWait() {
        PerUserSequencer sequencer = new PerUserSequencer();
        PerUserSequencer.Ticket shared = sequencer.admit(List.of("a", "poisoned"));
        PerUserSequencer.Ticket nextOfA = sequencer.admit(List.of("a"));
        PerUserSequencer.Ticket nextOfPoisoned = sequencer.admit(List.of("poisoned"));
        assertThat(nextOfA.ready()).isNotDone();

        shared.release("a");
        assertThat(nextOfA.ready()).as("a's part is over").isDone();
        assertThat(nextOfPoisoned.ready()).as("the poisoned user's part is not").isNotDone();

        shared.release();
        assertThat(nextOfPoisoned.ready()).isDone();
    }
}
