package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A person answered unexpectedly keeps the time of the first such answer while the answers go on
 * (their retry budget counts from it), is forgotten after a quiet memory span, and is carved out of
 * the requests they share with others.
 */
class UnexpectedStatusesTest {

    @Test
    void theBudgetCountsFromTheFirstAnswerWhileTheAnswersGoOn() {
        UnexpectedStatuses statuses = new UnexpectedStatuses(1_000);
        assertThat(statuses.isEmpty()).isTrue();
        assertThat(statuses.record("p", 409, 100)).isEqualTo(100);
        assertThat(statuses.record("p", 409, 900)).as("within the memory").isEqualTo(100);
        // Each answer renews the memory: 1,800 is 900 after the last one.
        assertThat(statuses.record("p", 404, 1_800)).isEqualTo(100);
        assertThat(statuses.isRecent("p", 2_800)).isTrue();
        assertThat(statuses.isRecent("p", 2_801)).isFalse();
        // After a quiet span longer than the memory, a new answer starts a new budget.
        assertThat(statuses.record("p", 409, 2_900)).isEqualTo(2_900);
        assertThat(statuses.isRecent("q", 2_900)).as("never answered so").isFalse();
    }

    @Test
    void tenThousandPeopleAtOnceAreNoLongerAboutPeople() {
        UnexpectedStatuses statuses = new UnexpectedStatuses(1_000);
        for (int i = 0; i < 10_000; i++) {
            statuses.record("u" + i, 409, 0);
        }
        assertThat(statuses.isRecent("u0", 10)).isTrue();
        // The next one finds the table full of people still remembered: it starts over.
        statuses.record("new", 409, 10);
        assertThat(statuses.isRecent("u0", 10)).isFalse();
        assertThat(statuses.isRecent("new", 10)).isTrue();
    }

    @Test
    void peopleAnsweredUnexpectedlyAMomentAgoGoApartFromEverybodyElse() {
        UnexpectedStatuses statuses = new UnexpectedStatuses(1_000);
        List<CustomerioOperation> ops = UserGroupsTest.ops("a", "p", "b", "q", "p");
        int[] all = {0, 1, 2, 3, 4};
        assertThat(statuses.apart(ops, all, 0)).as("nobody recorded").isNull();

        statuses.record("p", 409, 0);
        statuses.record("q", 404, 100);
        assertThat(statuses.apart(ops, all, 500))
                .containsExactly(new int[] {1, 4}, new int[] {3}, new int[] {0, 2});
        // Only recorded people: no part with everybody else.
        assertThat(statuses.apart(ops, new int[] {1, 3}, 500))
                .containsExactly(new int[] {1}, new int[] {3});
        // One person alone in the request: nothing to carve out.
        assertThat(statuses.apart(ops, new int[] {1, 4}, 500)).isNull();
        // Forgotten after the memory: nobody goes apart any more.
        assertThat(statuses.apart(ops, all, 1_101)).isNull();
    }
}
