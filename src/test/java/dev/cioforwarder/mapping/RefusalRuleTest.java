package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.state.PushDevice;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the state forgets when Customer.io refuses an operation that changed it. */
class RefusalRuleTest {

    private static CustomerioOperation refused(int effects) {
        CustomerioOperation op = new CustomerioOperation();
        op.effects = effects;
        return op;
    }

    private static UserState sentEverything() {
        UserState state = new UserState();
        state.identifierKind = "id";
        state.identifier = "c-1";
        state.profileFingerprint = 42;
        state.emailSent = "ann@example.com";
        state.createdAtSentSeconds = 1_764_400_000L;
        state.unsubscribedSent = Boolean.TRUE;
        return state;
    }

    @Test
    void aRefusedProfileEmailAndCreatedAtAreSentAgain() {
        UserState state = sentEverything();
        Transition t = new Transition();
        RefusalRule.forget(
                state,
                refused(
                        OperationEffects.PROFILE
                                | OperationEffects.EMAIL
                                | OperationEffects.CREATED_AT),
                t);
        assertThat(state.profileFingerprint).isZero();
        assertThat(state.emailSent).isNull();
        assertThat(state.createdAtSentSeconds).isEqualTo(UserState.NONE);
        // What the operation did not change stays.
        assertThat(state.unsubscribedSent).isTrue();
        assertThat(t.readdressFrom()).isNull();
    }

    @Test
    void aRefusedUnsubscribeIsNotTakenAsSentAndARefusedOptInNeither() {
        UserState unsubscribed = sentEverything();
        RefusalRule.forget(unsubscribed, refused(OperationEffects.UNSUBSCRIBE), new Transition());
        assertThat(unsubscribed.unsubscribedSent).isFalse();

        UserState optedIn = sentEverything();
        optedIn.unsubscribedSent = Boolean.FALSE;
        RefusalRule.forget(optedIn, refused(OperationEffects.RESUBSCRIBE), new Transition());
        assertThat(optedIn.unsubscribedSent).isTrue();
    }

    @Test
    void aRefusedDeviceIsSentAgainAndOnlyThatOne() {
        UserState state = sentEverything();
        List<PushDevice> devices = new ArrayList<>();
        for (String token : List.of("tok-a", "tok-b")) {
            PushDevice d = new PushDevice();
            d.token = token;
            d.sent = true;
            devices.add(d);
        }
        state.pushDevices = devices;
        CustomerioOperation op = refused(OperationEffects.DEVICE_ADD);
        op.effectDetail = "tok-b";
        RefusalRule.forget(state, op, new Transition());
        assertThat(state.pushDevices).extracting(d -> d.sent).containsExactly(true, false);
    }

    @Test
    void aRefusedAttachLeavesThePersonAddressedByEmail() {
        UserState state = sentEverything();
        CustomerioOperation op = refused(OperationEffects.ATTACH);
        op.effectDetail = "ann@example.com";
        Transition t = new Transition();
        RefusalRule.forget(state, op, t);
        assertThat(state.identifierKind).isEqualTo("email");
        assertThat(state.identifier).isEqualTo("ann@example.com");
        assertThat(t.readdressFrom()).isEqualTo(PersonIdentifier.id("c-1"));
        assertThat(t.readdressTo()).isEqualTo(PersonIdentifier.email("ann@example.com"));
    }

    @Test
    void aRefusedIdentifierChangeIsRememberedAndUndone() {
        UserState state = sentEverything();
        state.identifier = "c-2";
        CustomerioOperation op = refused(OperationEffects.IDENTIFIER_CHANGE);
        op.body =
                new IdentifierChange(PersonIdentifier.id("c-1"), PersonIdentifier.id("c-2"))
                        .encode();
        Transition t = new Transition();
        RefusalRule.forget(state, op, t);
        assertThat(state.refusedIdentifier).isEqualTo("id:c-2");
        assertThat(state.identifier).isEqualTo("c-1");
        assertThat(t.readdressFrom()).isEqualTo(PersonIdentifier.id("c-2"));
        assertThat(t.readdressTo()).isEqualTo(PersonIdentifier.id("c-1"));
        // An id change leaves the email Customer.io has.
        assertThat(state.emailSent).isEqualTo("ann@example.com");
    }
}
