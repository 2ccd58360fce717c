package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Grouping a request by user keeps each person's operations in order and people in the order first
 * seen; putting groups together again restores the request's order.
 */
class UserGroupsTest {

    /** Operations of the given users, in that order. */
    static List<CustomerioOperation> ops(String... users) {
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
}
