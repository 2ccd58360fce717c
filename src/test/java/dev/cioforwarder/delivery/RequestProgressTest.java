package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request's progress: each operation is decided once (the first decision wins), the result
 * completes when the last one is decided, a cancel parks what is left, and a user whose operations
 * are all decided before the request is done is told so, once.
 */
class RequestProgressTest {

    @Test
    void theFirstDecisionWinsAndTheResultCompletesWithTheLast() {
        RequestProgress progress = new RequestProgress(UserGroupsTest.ops("a", "b", "c"), 0);
        progress.delivered(0);
        progress.parked(0, "late answer");
        progress.dead(1, new DeadLetter());
        assertThat(progress.isDecided(2)).isFalse();
        assertThat(progress.result()).isNotDone();
        assertThat(progress.cancelled()).isFalse();

        progress.parked(2, DeliveryHealth.UNAVAILABLE);
        DeliveryResult result = progress.result().join();
        assertThat(result.outcome(0)).isEqualTo(DeliveryResult.Outcome.DELIVERED);
        assertThat(result.parkReason(0)).isNull();
        assertThat(result.outcome(1)).isEqualTo(DeliveryResult.Outcome.DEAD);
        assertThat(result.deadLetter(1)).isNotNull();
        assertThat(result.parkReason(2)).isEqualTo(DeliveryHealth.UNAVAILABLE);
        // Done is as good as cancelled: nothing more is attempted.
        assertThat(progress.cancelled()).isTrue();
    }

    @Test
    void aCancelParksOnlyWhatIsNotDecidedYet() {
        RequestProgress progress = new RequestProgress(UserGroupsTest.ops("a", "b"), 0);
        progress.delivered(1);
        progress.cancel("timeout");
        DeliveryResult result = progress.result().join();
        assertThat(result.outcome(0)).isEqualTo(DeliveryResult.Outcome.PARKED);
        assertThat(result.parkReason(0)).isEqualTo("timeout");
        assertThat(result.outcome(1)).isEqualTo(DeliveryResult.Outcome.DELIVERED);
    }

    @Test
    void anEmptyRequestIsDoneAtOnce() {
        assertThat(new RequestProgress(List.of(), 0).result().join().size()).isZero();
    }

    @Test
    void aUserDoneBeforeTheRequestIsToldOnceAndWhetherAllWereDelivered() {
        List<String> told = new ArrayList<>();
        List<CustomerioOperation> ops = UserGroupsTest.ops("a", "b", "a", "c");
        RequestProgress progress =
                new RequestProgress(ops, 0, (user, allDelivered) -> told.add(user + allDelivered));
        progress.delivered(0);
        assertThat(told).as("a has another operation undecided").isEmpty();
        progress.parked(2, "throttled");
        progress.delivered(1);
        assertThat(told).containsExactly("afalse", "btrue");
        progress.delivered(2);
        assertThat(told).as("decided already").hasSize(2);
        // The last user's news is the request's result itself.
        progress.delivered(3);
        assertThat(told).hasSize(2);
        assertThat(progress.result()).isDone();
    }
}
