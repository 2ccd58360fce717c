package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Grouping a request by user keeps each person's operations in order and people in the order first
 * seen; putting groups together again restores the request's order; and the people answered
 * unexpectedly a moment ago are carved out of a request ({@link UnexpectedStatuses#apart}).
 */
class UserGroupsTest {

    /** Operations of the given users, in that order. */
    private static List<CustomerioOperation> ops(String... users) {
        List<CustomerioOperation> out = new ArrayList<>();
        for (String user : users) {
            CustomerioOperation op = new CustomerioOperation();
            op.userKey = user;
            out.add(op);
        }
        return out;
    }

    @Test
    void groupsKeepEachPersonsOrderAndPeopleInTheOrderFirstSeen() {
        List<CustomerioOperation> ops = ops("b", "a", "b", "c", "a", "b");
        assertThat(UserGroups.byUser(ops, new int[] {0, 1, 2, 3, 4, 5}))
                .containsExactly(new int[] {0, 2, 5}, new int[] {1, 4}, new int[] {3});
        // Only the indices asked for.
        assertThat(UserGroups.byUser(ops, new int[] {1, 3, 5}))
                .containsExactly(new int[] {1}, new int[] {3}, new int[] {5});
    }

    @Test
    void groupsPutTogetherAreInTheRequestsOrder() {
        assertThat(UserGroups.concat(List.of(new int[] {1, 4}, new int[] {0, 2, 5}, new int[] {3})))
                .containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(UserGroups.concat(List.of())).isEmpty();
    }

    @Test
    void aRequestIsSharedWhenAnybodyElseHasAnOperationInIt() {
        assertThat(UserGroups.sharedWithOthers(ops("a", "a"), "a")).isFalse();
        assertThat(UserGroups.sharedWithOthers(ops("a", "b", "a"), "a")).isTrue();
        assertThat(UserGroups.sharedWithOthers(ops("a", null), "a")).isTrue();
        assertThat(UserGroups.sharedWithOthers(ops((String) null), null)).isFalse();
    }

    @Test
    void peopleAnsweredUnexpectedlyAMomentAgoGoApartFromEverybodyElse() {
        UnexpectedStatuses statuses = new UnexpectedStatuses(1_000);
        List<CustomerioOperation> ops = ops("a", "p", "b", "q", "p");
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
