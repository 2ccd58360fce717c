package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.state.UserState;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The email index's answer, in the user's state (customerio.guard-shared-emails). */
class EmailVerdictRuleTest {

    private final EmailVerdictRule rule =
            new EmailVerdictRule(
                    MappingSettings.builder().guardSharedEmails(true).build(),
                    OperationEncoder.forMode(ApiMode.V2_BATCH));

    private static EmailVerdict verdict(String email, boolean ofAnotherCustomer) {
        EmailVerdict v = new EmailVerdict();
        v.userKey = "7";
        v.mpid = "7";
        v.email = email;
        v.ofAnotherCustomer = ofAnotherCustomer;
        v.timeMs = 1_764_400_060_000L;
        return v;
    }

    private static UserState addressedById() {
        UserState state = new UserState();
        state.identifierKind = "id";
        state.identifier = "c-7";
        state.email = "ann@example.com";
        state.lastIdentifySeconds = 1_764_400_000L;
        return state;
    }

    @Test
    void anEmailAnotherCustomerHoldsIsRememberedAndNothingIsSent() {
        UserState state = addressedById();
        Transition t = new Transition();
        rule.apply(state, verdict("ann@example.com", true), t);
        assertThat(state.emailOfAnotherCustomer).isEqualTo("ann@example.com");
        assertThat(state.emailConfirmed).isNull();
        assertThat(t.operations()).isEmpty();
    }

    @Test
    void theirOwnEmailGoesToThePersonInAnIdentifyOfItsOwn() {
        UserState state = addressedById();
        state.emailOfAnotherCustomer = "ANN@example.com";
        Transition t = new Transition();
        rule.apply(state, verdict("ann@example.com", false), t);
        assertThat(state.emailOfAnotherCustomer).isNull();
        assertThat(state.emailConfirmed).isEqualTo("ann@example.com");
        assertThat(state.emailSent).isEqualTo("ann@example.com");
        assertThat(t.operations()).hasSize(1);
        assertThat(t.operations().get(0).effects).isEqualTo(OperationEffects.EMAIL);
        assertThat(new String(t.operations().get(0).body, StandardCharsets.UTF_8))
                .contains("\"identifiers\":{\"id\":\"c-7\"}")
                .contains("\"attributes\":{\"email\":\"ann@example.com\"}")
                .contains("\"timestamp\":1764400060");
        assertThat(t.identifySent()).isEqualTo(1);
    }

    @Test
    void anOptedOutPersonOrOneWhoHasTheEmailGetsNoIdentify() {
        UserState optedOut = addressedById();
        optedOut.optedOut = true;
        Transition t = new Transition();
        rule.apply(optedOut, verdict("ann@example.com", false), t);
        assertThat(t.operations()).isEmpty();
        assertThat(optedOut.emailConfirmed).isEqualTo("ann@example.com");

        UserState sent = addressedById();
        sent.emailSent = "ann@example.com";
        rule.apply(sent, verdict("ann@example.com", false), t);
        assertThat(t.operations()).isEmpty();
    }
}
