package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operations that change who a person is: split identifies, the attach, the id change. */
class IdentifyOperationsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final IdentifyOperations identifies =
            new IdentifyOperations(OperationEncoder.forMode(ApiMode.V2_BATCH));

    private static MParticleBatch batch() {
        MParticleBatch batch = new MParticleBatch();
        batch.hasMpid = true;
        batch.mpid = 7;
        batch.userKey = "7";
        batch.timestampMs = 1_764_400_000_000L;
        return batch;
    }

    private static JsonNode body(CustomerioOperation op) throws IOException {
        return MAPPER.readTree(op.body);
    }

    @Test
    void anIdentifyOfMoreThan300FieldsGoesInSeveralAllWithItsEffects() throws IOException {
        ProfileUpdate update = new ProfileUpdate();
        update.timestampSeconds = 1_764_400_000L;
        update.unsubscribed = Boolean.TRUE; // one control field: 299 attributes fit the first
        for (int i = 0; i < 650; i++) {
            update.attributes.add("a" + i, ValueType.STRING, "v");
        }
        Transition t = new Transition();
        identifies.identify(
                PersonIdentifier.id("c-7"), update, batch(), t, OperationEffects.PROFILE, true);

        List<Integer> sizes = new ArrayList<>();
        for (CustomerioOperation op : t.operations()) {
            assertThat(op.kind).isEqualTo(OperationKind.IDENTIFY);
            assertThat(op.effects).isEqualTo(OperationEffects.PROFILE);
            sizes.add(body(op).get("attributes").size());
        }
        // The first carries unsubscribed among its 300 fields; the rest up to 300 each.
        assertThat(sizes).containsExactly(300, 300, 51);
        assertThat(body(t.operations().get(0)).get("attributes").has("unsubscribed")).isTrue();
        assertThat(body(t.operations().get(1)).get("attributes").has("unsubscribed")).isFalse();
        assertThat(t.identifySent()).isEqualTo(1);
    }

    @Test
    void anUncountedIdentifyLeavesTheCountToTheCaller() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("plan", ValueType.STRING, "pro");
        Transition t = new Transition();
        identifies.identify(PersonIdentifier.id("c-7"), update, batch(), t, 0, false);
        assertThat(t.operations()).hasSize(1);
        assertThat(t.identifySent()).isZero();
    }

    @Test
    void theAttachGoesAloneAndWaitsForItsAnswer() throws IOException {
        Transition t = new Transition();
        identifies.attach(
                PersonIdentifier.email("ann@example.com"), "c-7", 1_764_400_000L, batch(), t);
        CustomerioOperation op = t.operations().get(0);
        assertThat(op.lastInRequest).isTrue();
        assertThat(op.confirmRequired).isTrue();
        assertThat(op.effects).isEqualTo(OperationEffects.ATTACH);
        assertThat(op.effectDetail).isEqualTo("ann@example.com");
        JsonNode body = body(op);
        assertThat(body.get("identifiers").toString()).isEqualTo("{\"email\":\"ann@example.com\"}");
        assertThat(body.get("attributes").get("id").asText()).isEqualTo("c-7");
    }

    @Test
    void anIdentifierChangeCarriesBothIdentifiersAndWaitsForItsAnswer() {
        Transition t = new Transition();
        IdentifierChange change =
                new IdentifierChange(
                        PersonIdentifier.id("c-7"), PersonIdentifier.email("ann@new.example.com"));
        identifies.identifierChange(change, batch(), t);
        CustomerioOperation op = t.operations().get(0);
        assertThat(op.kind).isEqualTo(OperationKind.IDENTIFIER_CHANGE);
        assertThat(op.confirmRequired).isTrue();
        assertThat(op.effects).isEqualTo(OperationEffects.IDENTIFIER_CHANGE);
        assertThat(IdentifierChange.decode(op.body)).isEqualTo(change);
    }
}
