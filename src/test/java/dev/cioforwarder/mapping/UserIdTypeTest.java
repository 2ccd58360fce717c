package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.codes.Codes;
import org.junit.jupiter.api.Test;

/** customerio.user-id-type: the codes mParticle's "User ID Type" setting offers. */
class UserIdTypeTest {

    @Test
    void theSettingsCodes() {
        assertThat(UserIdType.PREFER_CUSTOMER_ID.code()).isEqualTo("prefer_customer_id");
        assertThat(UserIdType.CUSTOMER_ID.code()).isEqualTo("customer_id");
        assertThat(UserIdType.EMAIL.code()).isEqualTo("email");
        assertThat(UserIdType.MPID).hasToString("mpid");
    }

    @Test
    void readsACodeWhateverItsCaseAndSurroundingSpaces() {
        assertThat(Codes.fromCode(UserIdType.class, "customer_id"))
                .isEqualTo(UserIdType.CUSTOMER_ID);
        assertThat(Codes.fromCode(UserIdType.class, " MPID ")).isEqualTo(UserIdType.MPID);
        assertThat(Codes.fromCode(UserIdType.class, "Prefer_Customer_Id"))
                .isEqualTo(UserIdType.PREFER_CUSTOMER_ID);
    }

    @Test
    void anUnknownTypeNamesTheAcceptedOnes() {
        assertThat(Codes.accepted(UserIdType.class))
                .isEqualTo("prefer_customer_id, customer_id, email, mpid");
        assertThatThrownBy(() -> Codes.fromCode(UserIdType.class, "customer-id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "\"customer-id\" is not one of prefer_customer_id, customer_id, email,"
                                + " mpid");
    }
}
