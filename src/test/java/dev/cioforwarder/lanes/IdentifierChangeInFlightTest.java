package dev.cioforwarder.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.state.UserState;
import org.junit.jupiter.api.Test;

/**
 * An older operation that comes back from delivery while an identifier change may already be
 * applied goes to the new identifier, after the change, instead of re-creating the person under the
 * old one; nothing else is touched.
 */
class IdentifierChangeInFlightTest {

    private static final PersonIdentifier OLD = PersonIdentifier.id("c-old");
    private static final PersonIdentifier NEW = PersonIdentifier.id("c-new");

    private final UserState state = new UserState();

    private static CustomerioOperation identify(PersonIdentifier to, long seq) {
        ProfileUpdate update = new ProfileUpdate();
        update.timestampSeconds = 1_764_320_400L;
        CustomerioOperation op = new CustomerioOperation();
        op.kind = OperationKind.IDENTIFY;
        op.body = OperationEncoder.forMode(ApiMode.V2_BATCH).identify(to, update, 0, 0, true).body;
        op.seq = seq;
        return op;
    }

    private static CustomerioOperation change(long seq) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = OperationKind.IDENTIFIER_CHANGE;
        op.body = new IdentifierChange(OLD, NEW).encode();
        op.seq = seq;
        return op;
    }

    private static String person(CustomerioOperation op) throws Exception {
        JsonNode ids = Json.mapper().readTree(op.body).get("identifiers");
        String kind = ids.fieldNames().next();
        return kind + ":" + ids.get(kind).asText();
    }

    @Test
    void anOlderOperationComingBackWhileTheChangeIsOutGoesToTheNewIdentifierAfterIt()
            throws Exception {
        state.nextOperationSeq = 10;
        IdentifierChangeInFlight.sent(state, change(7));
        CustomerioOperation back = identify(OLD, 5);

        CustomerioOperation moved = IdentifierChangeInFlight.comingBack(state, back);

        assertThat(person(moved)).isEqualTo("id:c-new");
        assertThat(moved.seq).as("after the change").isEqualTo(10);
        assertThat(state.nextOperationSeq).isEqualTo(11);
        assertThat(person(back)).as("the operation read back is not changed").isEqualTo("id:c-old");
    }

    @Test
    void newerOperationsOthersAndSettledChangesAreLeftAlone() throws Exception {
        IdentifierChangeInFlight.sent(state, change(7));
        CustomerioOperation newer = identify(NEW, 8);
        assertThat(IdentifierChangeInFlight.comingBack(state, newer)).isSameAs(newer);
        CustomerioOperation someoneElse = identify(PersonIdentifier.id("c-other"), 3);
        assertThat(IdentifierChangeInFlight.comingBack(state, someoneElse)).isSameAs(someoneElse);
        CustomerioOperation theChange = change(7);
        assertThat(IdentifierChangeInFlight.comingBack(state, theChange)).isSameAs(theChange);

        IdentifierChangeInFlight.settled(state, change(7));
        CustomerioOperation older = identify(OLD, 5);
        assertThat(IdentifierChangeInFlight.comingBack(state, older))
                .as("once settled, an accepted change moved the person and a refused one did not")
                .isSameAs(older);
        assertThat(state.identifierChangeSeq).isEqualTo(-1);
    }

    @Test
    void onlyAnIdentifierChangeIsRemembered() {
        IdentifierChangeInFlight.sent(state, identify(NEW, 4));
        assertThat(state.identifierChangeSeq).isEqualTo(-1);
        IdentifierChangeInFlight.settled(state, change(9));
        assertThat(state.identifierChangeSeq).isEqualTo(-1);
    }
}
