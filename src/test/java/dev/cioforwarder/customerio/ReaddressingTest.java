package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Operations the real encoders produce for one person are moved to another identifier with nothing
 * else changed; everything not addressed to that person (or not a person operation) is left alone,
 * and the original operation is never mutated.
 */
class ReaddressingTest {

    private static final PersonIdentifier ID = PersonIdentifier.id("c-new");
    private static final PersonIdentifier EMAIL = PersonIdentifier.email("a@x.io");

    /** Reads numbers exactly, so a rewrite that loses a digit shows. */
    private static final ObjectMapper EXACT =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static Attributes eventData() {
        Attributes data = new Attributes();
        data.add("product", ValueType.STRING, "Crème brûlée 🍮 \"special\"");
        data.add("price", ValueType.NUMBER, "19.99");
        data.add("quantity", ValueType.NUMBER, "3");
        data.add("gift", ValueType.BOOLEAN, "true");
        data.add("coupon", ValueType.NULL, "");
        data.add("tags", ValueType.JSON, "[\"a\",1,{\"nested\":[true,null]}]");
        // Looks like an identifier but is data: never rewritten.
        data.add("identifiers", ValueType.JSON, "{\"id\":\"c-new\"}");
        return data;
    }

    private static ProfileUpdate profile() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("first_name", ValueType.STRING, "Zoë");
        update.attributes.add("email", ValueType.STRING, "a@x.io");
        update.attributes.add("visits", ValueType.NUMBER, "-42");
        update.attributes.add("vip", ValueType.BOOLEAN, "false");
        update.attributes.add("plan", ValueType.JSON, "{\"name\":\"pro\",\"seats\":[1,2]}");
        update.attachId = "c-new";
        update.createdAtSeconds = 1_700_000_000L;
        update.unsubscribed = Boolean.TRUE;
        update.anonymousId = "anon-1";
        update.timestampSeconds = 1_764_320_400L;
        return update;
    }

    /** Wraps an encoder's output as the state machine does, every other field set too. */
    private static CustomerioOperation op(OperationKind kind, EncodedOperation e) {
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = "user-1";
        op.kind = kind;
        op.method = e.method;
        op.path = e.path;
        op.body = e.body;
        op.eventId = "01JDZ8K3V6Q4X0N7C2Y5T9M1AB";
        op.lastInRequest = true;
        op.erasureRequestId = "erasure-1";
        op.eventTimeMs = 1_764_320_400_000L;
        op.mpid = "8765432109876543210";
        op.sourceTopic = "mparticle";
        op.sourcePartition = 4;
        op.sourceOffset = 1234;
        op.seq = 17;
        op.episode = 3;
        op.ackRequested = true;
        op.confirmRequired = true;
        op.effects = 0b101;
        op.effectDetail = "a@x.io";
        op.firstAttemptMs = 1_764_320_401_000L;
        op.waits = 2;
        return op;
    }

    /** Every person operation the encoder of {@code mode} makes for {@code person}. */
    private static List<CustomerioOperation> operationsOf(ApiMode mode, PersonIdentifier person) {
        OperationEncoder encoder = OperationEncoder.forMode(mode);
        ProfileUpdate update = profile();
        int all = update.attributes.size();
        return List.of(
                op(OperationKind.IDENTIFY, encoder.identify(person, update, 0, all, true)),
                op(OperationKind.IDENTIFY, encoder.identify(person, update, 1, 3, false)),
                op(
                        OperationKind.EVENT,
                        encoder.event(
                                person,
                                OperationKind.EVENT,
                                "Order Completed",
                                "01JDZ8K3V6Q4X0N7C2Y5T9M1AB",
                                1_764_320_400L,
                                eventData(),
                                "8765432109876543210")),
                op(
                        OperationKind.SCREEN,
                        encoder.event(
                                person,
                                OperationKind.SCREEN,
                                "Home",
                                "01JDZ8K3V6Q4X0N7C2Y5T9M1AC",
                                1_764_320_400L,
                                new Attributes(),
                                "8765432109876543210")),
                op(
                        OperationKind.ADD_DEVICE,
                        encoder.addDevice(person, "apns-token/1", "ios", 1_764_320_400L)),
                op(OperationKind.DELETE_DEVICE, encoder.deleteDevice(person, "fcm token 2")),
                op(OperationKind.DELETE, encoder.delete(person)));
    }

    /** Readdresses {@code op}, and checks that {@code op} itself was left exactly as it was. */
    private static CustomerioOperation readdress(
            CustomerioOperation op, PersonIdentifier from, PersonIdentifier to) {
        CustomerioOperation before = op.copy();
        byte[] bodyBefore = op.body == null ? null : op.body.clone();

        CustomerioOperation result = Readdressing.readdress(op, from, to);

        assertThat(op).usingRecursiveComparison().isEqualTo(before);
        assertThat(op.body).isEqualTo(bodyBefore);
        return result;
    }

    private static ObjectNode tree(byte[] body) {
        try {
            return (ObjectNode) EXACT.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(CustomerioOperation op) {
        return op.body == null ? "null" : new String(op.body, StandardCharsets.UTF_8);
    }

    /** {@code moved} is {@code op} addressed to {@code to}: identifiers replaced, nothing else. */
    private static void assertMovedV2(
            CustomerioOperation moved, CustomerioOperation op, PersonIdentifier to) {
        assertThat(moved).as(text(op)).isNotSameAs(op);
        ObjectNode before = tree(op.body);
        ObjectNode after = tree(moved.body);
        assertThat(after.get("identifiers"))
                .as(text(moved))
                .isEqualTo(EXACT.createObjectNode().put(to.kind().code(), to.value()));
        before.remove("identifiers");
        after.remove("identifiers");
        assertThat(after).as(text(moved)).isEqualTo(before);
        assertThat(moved).usingRecursiveComparison().ignoringFields("body").isEqualTo(op);
    }

    private static void assertMovedV1(
            CustomerioOperation moved, CustomerioOperation op, String expectedPath) {
        assertThat(moved).as(op.path).isNotSameAs(op);
        assertThat(moved.path).isEqualTo(expectedPath);
        assertThat(moved.body).isEqualTo(op.body);
        assertThat(moved).usingRecursiveComparison().ignoringFields("path").isEqualTo(op);
    }

    @Test
    void v2OperationsAddressedByIdAreMovedToTheEmail() {
        for (CustomerioOperation op : operationsOf(ApiMode.V2_BATCH, ID)) {
            assertThat(op.path).isNull();
            assertMovedV2(readdress(op, ID, EMAIL), op, EMAIL);
        }
    }

    @Test
    void v2OperationsAddressedByEmailAreMovedToTheId() {
        for (CustomerioOperation op : operationsOf(ApiMode.V2_BATCH, EMAIL)) {
            assertMovedV2(readdress(op, EMAIL, ID), op, ID);
        }
    }

    @Test
    void v2OperationsAddressedToSomeoneElseAreReturnedUnchanged() {
        List<PersonIdentifier> others =
                List.of(
                        PersonIdentifier.id("c-other"),
                        PersonIdentifier.id("c-new2"),
                        PersonIdentifier.email("b@x.io"),
                        // The same value as another kind is another person.
                        PersonIdentifier.id("a@x.io"),
                        PersonIdentifier.email("c-new"));
        for (PersonIdentifier other : others) {
            for (CustomerioOperation op : operationsOf(ApiMode.V2_BATCH, other)) {
                assertThat(readdress(op, ID, EMAIL)).as("%s: %s", other, text(op)).isSameAs(op);
                assertThat(readdress(op, EMAIL, ID)).as("%s: %s", other, text(op)).isSameAs(op);
            }
        }
    }

    @Test
    void emailsMatchWhateverTheirCase() {
        for (CustomerioOperation op :
                operationsOf(ApiMode.V2_BATCH, PersonIdentifier.email("A@X.io"))) {
            assertMovedV2(readdress(op, EMAIL, ID), op, ID);
        }
        for (CustomerioOperation op : operationsOf(ApiMode.V2_BATCH, EMAIL)) {
            assertMovedV2(readdress(op, PersonIdentifier.email("a@X.IO"), ID), op, ID);
        }
    }

    @Test
    void idsMatchOnlyInTheirExactCase() {
        for (CustomerioOperation op :
                operationsOf(ApiMode.V2_BATCH, PersonIdentifier.id("C-NEW"))) {
            assertThat(readdress(op, ID, EMAIL)).as(text(op)).isSameAs(op);
        }
        for (CustomerioOperation op : operationsOf(ApiMode.V2_BATCH, ID)) {
            assertThat(readdress(op, PersonIdentifier.id("c-New"), EMAIL))
                    .as(text(op))
                    .isSameAs(op);
        }
    }

    @Test
    void v1OperationsOfTheIdHaveTheirPathMovedToTheEmail() {
        List<CustomerioOperation> ops = operationsOf(ApiMode.V1, ID);
        List<String> expected =
                List.of(
                        "/api/v1/customers/a%40x.io",
                        "/api/v1/customers/a%40x.io",
                        "/api/v1/customers/a%40x.io/events",
                        "/api/v1/customers/a%40x.io/events",
                        "/api/v1/customers/a%40x.io/devices",
                        "/api/v1/customers/a%40x.io/devices/fcm%20token%202",
                        "/api/v1/customers/a%40x.io");
        for (int i = 0; i < ops.size(); i++) {
            CustomerioOperation op = ops.get(i);
            assertThat(op.path).startsWith("/api/v1/customers/c-new");
            assertMovedV1(readdress(op, ID, EMAIL), op, expected.get(i));
        }
    }

    @Test
    void v1OperationsOfTheEmailHaveTheirPathMovedToTheId() {
        for (CustomerioOperation op : operationsOf(ApiMode.V1, EMAIL)) {
            assertThat(op.path).startsWith("/api/v1/customers/a%40x.io");
            String rest = op.path.substring("/api/v1/customers/a%40x.io".length());
            assertMovedV1(readdress(op, EMAIL, ID), op, "/api/v1/customers/c-new" + rest);
        }
    }

    @Test
    void v1PathsEncodeBothIdentifiersAsOnePathSegment() {
        PersonIdentifier awkward = PersonIdentifier.id("c/new one");
        for (CustomerioOperation op : operationsOf(ApiMode.V1, awkward)) {
            assertThat(op.path).startsWith("/api/v1/customers/c%2Fnew%20one");
            String rest = op.path.substring("/api/v1/customers/c%2Fnew%20one".length());
            assertMovedV1(readdress(op, awkward, EMAIL), op, "/api/v1/customers/a%40x.io" + rest);
        }
        for (CustomerioOperation op : operationsOf(ApiMode.V1, EMAIL)) {
            String rest = op.path.substring("/api/v1/customers/a%40x.io".length());
            assertMovedV1(
                    readdress(op, EMAIL, awkward), op, "/api/v1/customers/c%2Fnew%20one" + rest);
        }
    }

    @Test
    void v1OperationsOfAnotherPersonAreReturnedUnchanged() {
        List<PersonIdentifier> others =
                List.of(
                        PersonIdentifier.id("c-other"),
                        // Starts like c-new: only a whole path segment matches.
                        PersonIdentifier.id("c-newer"),
                        PersonIdentifier.id("c-new/events"),
                        PersonIdentifier.id("C-NEW"),
                        PersonIdentifier.email("b@x.io"));
        for (PersonIdentifier other : others) {
            for (CustomerioOperation op : operationsOf(ApiMode.V1, other)) {
                assertThat(readdress(op, ID, EMAIL)).as("%s: %s", other, op.path).isSameAs(op);
                assertThat(readdress(op, EMAIL, ID)).as("%s: %s", other, op.path).isSameAs(op);
            }
        }
    }

    @Test
    void anonymousEventsAreNeverTouched() {
        for (ApiMode mode : ApiMode.values()) {
            OperationEncoder encoder = OperationEncoder.forMode(mode);
            for (OperationKind kind : List.of(OperationKind.EVENT, OperationKind.SCREEN)) {
                // Its anonymous id is even the value readdressed.
                CustomerioOperation op =
                        op(
                                kind,
                                encoder.anonymousEvent(
                                        kind,
                                        "Viewed",
                                        "01JDZ8K3V6Q4X0N7C2Y5T9M1AD",
                                        1_764_320_400L,
                                        eventData(),
                                        "c-new"));
                // v2-batch: an operation of the batch by identifiers.anonymous_id; v1: its own
                // request.
                assertThat(op.path).isEqualTo(mode == ApiMode.V1 ? "/api/v1/events" : null);
                assertThat(readdress(op, PersonIdentifier.id("c-new"), EMAIL))
                        .as("the anonymous id's value, named as an id")
                        .isSameAs(op);
                assertThat(readdress(op, ID, EMAIL)).as("%s %s", mode, kind).isSameAs(op);
                assertThat(readdress(op, PersonIdentifier.id("anon"), EMAIL)).isSameAs(op);
            }
        }
    }

    @Test
    void identifierChangesAreNeverTouched() {
        CustomerioOperation change =
                op(
                        OperationKind.IDENTIFIER_CHANGE,
                        new EncodedOperation(
                                null, null, new IdentifierChange(ID, EMAIL).encode(), 0));
        assertThat(readdress(change, ID, EMAIL)).isSameAs(change);
        assertThat(readdress(change, EMAIL, ID)).isSameAs(change);

        // Not even one whose body would otherwise match.
        for (ApiMode mode : ApiMode.values()) {
            for (CustomerioOperation op : operationsOf(mode, ID)) {
                op.kind = OperationKind.IDENTIFIER_CHANGE;
                assertThat(readdress(op, ID, EMAIL)).as("%s %s", mode, op.path).isSameAs(op);
            }
        }
    }

    @Test
    void sealsAreNeverTouched() {
        CustomerioOperation seal = new CustomerioOperation();
        seal.kind = OperationKind.SEAL;
        seal.userKey = "user-1";
        seal.episode = 4;
        seal.body = new byte[0];
        assertThat(readdress(seal, ID, EMAIL)).isSameAs(seal);

        // Not even one carrying a body or path that would otherwise match.
        for (ApiMode mode : ApiMode.values()) {
            for (CustomerioOperation op : operationsOf(mode, ID)) {
                op.kind = OperationKind.SEAL;
                assertThat(readdress(op, ID, EMAIL)).as("%s %s", mode, op.path).isSameAs(op);
            }
        }
    }

    @Test
    void theOriginalIsNeverMutatedAndTheCopyIsIndependent() {
        for (ApiMode mode : ApiMode.values()) {
            for (CustomerioOperation op : operationsOf(mode, ID)) {
                String originalBody = text(op);
                String originalPath = op.path;
                CustomerioOperation moved = Readdressing.readdress(op, ID, EMAIL);

                assertThat(moved).isNotSameAs(op);
                assertThat(text(op)).isEqualTo(originalBody);
                assertThat(op.path).isEqualTo(originalPath);

                moved.episode = 99;
                moved.waits = 99;
                assertThat(op.episode).isEqualTo(3);
                assertThat(op.waits).isEqualTo(2);
            }
        }
    }

    @Test
    void v1OperationsSentAsV2AreMovedToo() {
        for (PersonIdentifier unsafe :
                List.of(PersonIdentifier.id("cio_03000010"), PersonIdentifier.id("c@new"))) {
            for (CustomerioOperation op : operationsOf(ApiMode.V1, unsafe)) {
                assertThat(op.path).isEqualTo(V1Encoder.ENTITY_PATH);
                assertMovedV2(readdress(op, unsafe, EMAIL), op, EMAIL);
            }
        }
    }

    @Test
    void numbersKeepTheirExactText() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("pi", ValueType.NUMBER, "3.14159265358979323846");
        update.attributes.add("huge", ValueType.NUMBER, "1e400");
        update.timestampSeconds = 1_764_320_400L;
        CustomerioOperation op =
                op(
                        OperationKind.IDENTIFY,
                        OperationEncoder.forMode(ApiMode.V2_BATCH)
                                .identify(ID, update, 0, 2, true));

        String moved = text(readdress(op, ID, EMAIL));

        assertThat(moved).contains("\"pi\":3.14159265358979323846").contains("\"huge\":1e400");
    }
}
