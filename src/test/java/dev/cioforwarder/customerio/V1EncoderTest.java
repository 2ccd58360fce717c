package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.testing.OperationChecks;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Track API v1: one request per operation, the person in the path as one segment ({@code PUT
 * /api/v1/customers/{identifier}}, {@code POST .../events}, {@code DELETE}), valid against the
 * description ({@link OperationChecks}); a person whose identifier Customer.io would read as
 * another kind from a path ({@code cio_…}, an id with {@code @}) goes to {@code POST
 * /api/v2/entity} instead.
 */
class V1EncoderTest {

    private static final PersonIdentifier ADA = PersonIdentifier.id("cust-1001");
    private static final String ULID = "01KB4V1MM06Y3J8DEFDKJ4Z1RF";
    private static final long T = 1764320400L;

    private final V1Encoder v1 = new V1Encoder();

    private static String body(EncodedOperation e) {
        return new String(e.body, StandardCharsets.UTF_8);
    }

    private static void assertValid(OperationKind kind, EncodedOperation e) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = kind;
        op.method = e.method;
        op.path = e.path;
        op.body = e.body;
        op.eventId = kind == OperationKind.EVENT || kind == OperationKind.SCREEN ? ULID : null;
        assertThat(OperationChecks.violations(op, ApiMode.V1, true)).as(body(e)).isEmpty();
    }

    private static ProfileUpdate profile() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("first_name", ValueType.STRING, "Ada");
        update.attributes.add("age", ValueType.NUMBER, "36");
        update.attributes.add("vip", ValueType.BOOLEAN, "true");
        update.createdAtSeconds = 1764320000L;
        update.unsubscribed = true;
        update.timestampSeconds = T;
        return update;
    }

    private static Attributes cart() {
        Attributes data = new Attributes();
        data.add("sku", ValueType.STRING, "A-1");
        data.add("price", ValueType.NUMBER, "19.99");
        return data;
    }

    @Test
    void identifyIsAPutOfTheFlatProfileWithTimestamp() {
        EncodedOperation e = v1.identify(ADA, profile(), 0, 3, true);
        assertThat(e.method).isEqualTo("PUT");
        assertThat(e.path).isEqualTo("/api/v1/customers/cust-1001");
        assertThat(e.sentAsV2).isFalse();
        assertThat(body(e))
                .isEqualTo(
                        "{\"first_name\":\"Ada\",\"age\":36,\"vip\":true,"
                                + "\"created_at\":1764320000,\"unsubscribed\":true,"
                                + "\"_timestamp\":1764320400}");
        assertValid(OperationKind.IDENTIFY, e);
    }

    @Test
    void aSplitIdentifyLeavesTheControlFieldsToTheFirst() {
        EncodedOperation e = v1.identify(ADA, profile(), 2, 3, false);
        assertThat(body(e)).isEqualTo("{\"vip\":true,\"_timestamp\":1764320400}");
        assertValid(OperationKind.IDENTIFY, e);
    }

    @Test
    void anEmailInThePathIsOneEscapedSegmentAndTheIdIsAttachedInTheBody() {
        ProfileUpdate update = new ProfileUpdate();
        update.attachId = "cust-1001";
        update.timestampSeconds = T;
        EncodedOperation e =
                v1.identify(PersonIdentifier.email("ada@example.com"), update, 0, 0, true);
        assertThat(e.method).isEqualTo("PUT");
        assertThat(e.path).isEqualTo("/api/v1/customers/ada%40example.com");
        assertThat(body(e)).isEqualTo("{\"id\":\"cust-1001\",\"_timestamp\":1764320400}");
        assertValid(OperationKind.IDENTIFY, e);
    }

    @Test
    void anIdWithSlashesAndSpacesStaysOneSegment() {
        EncodedOperation e = v1.delete(PersonIdentifier.id("team a/ü"));
        assertThat(e.path).isEqualTo("/api/v1/customers/team%20a%2F%C3%BC");
    }

    @Test
    void anEventIsPostedToThePersonsEventsWithItsDataMeasured() {
        EncodedOperation e =
                v1.event(ADA, OperationKind.EVENT, "Add_To_Cart", ULID, T, cart(), "7");
        assertThat(e.method).isEqualTo("POST");
        assertThat(e.path).isEqualTo("/api/v1/customers/cust-1001/events");
        assertThat(body(e))
                .isEqualTo(
                        "{\"name\":\"Add_To_Cart\",\"type\":\"event\","
                                + "\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\",\"timestamp\":1764320400,"
                                + "\"data\":{\"sku\":\"A-1\",\"price\":19.99}}");
        // {"sku":"A-1","price":19.99}
        assertThat(e.dataBytes).isEqualTo(27);
        assertValid(OperationKind.EVENT, e);
    }

    @Test
    void aScreenCarriesTheAnonymousIdTheDescriptionRequires() {
        EncodedOperation e =
                v1.event(ADA, OperationKind.SCREEN, "Home", ULID, T, new Attributes(), "7");
        assertThat(e.path).isEqualTo("/api/v1/customers/cust-1001/events");
        assertThat(body(e))
                .isEqualTo(
                        "{\"name\":\"Home\",\"type\":\"screen\",\"anonymous_id\":\"7\","
                                + "\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\",\"timestamp\":1764320400,"
                                + "\"data\":{}}");
        assertThat(e.dataBytes).isEqualTo(2);
        assertValid(OperationKind.SCREEN, e);
    }

    @Test
    void aDeletionIsADeleteWithoutBody() {
        EncodedOperation e = v1.delete(ADA);
        assertThat(e.method).isEqualTo("DELETE");
        assertThat(e.path).isEqualTo("/api/v1/customers/cust-1001");
        assertThat(e.body).isEmpty();
        assertValid(OperationKind.DELETE, e);
    }

    @Test
    void anAnonymousEventIsPostedToEvents() {
        EncodedOperation e =
                v1.anonymousEvent(OperationKind.EVENT, "Add_To_Cart", ULID, T, cart(), "anon-9");
        assertThat(e.method).isEqualTo("POST");
        assertThat(e.path).isEqualTo("/api/v1/events");
        assertThat(body(e))
                .isEqualTo(
                        "{\"name\":\"Add_To_Cart\",\"type\":\"event\",\"anonymous_id\":\"anon-9\","
                                + "\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\",\"timestamp\":1764320400,"
                                + "\"data\":{\"sku\":\"A-1\",\"price\":19.99}}");
        assertValid(OperationKind.EVENT, e);
    }

    @Test
    void aDeviceWithAttributesNamesTheTokenId() {
        EncodedOperation e =
                v1.addDevice(
                        ADA, "fcm-2", "android", T, DeviceAttributes.of("14", null, "4.2.0", null));
        assertThat(e.method).isEqualTo("PUT");
        assertThat(e.path).isEqualTo("/api/v1/customers/cust-1001/devices");
        assertThat(body(e))
                .isEqualTo(
                        "{\"device\":{\"id\":\"fcm-2\",\"platform\":\"android\","
                                + "\"last_used\":1764320400,\"attributes\":{\"device_os\":\"14\","
                                + "\"app_version\":\"4.2.0\"}}}");
        assertValid(OperationKind.ADD_DEVICE, e);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cio_abc", "CIO_abc", "Cio_1", "a@b.io"})
    void anIdAPathWouldMisreadGoesToTheEntityEndpointAsV2(String id) {
        PersonIdentifier person = PersonIdentifier.id(id);
        assertThat(V1Encoder.pathIsSafe(person)).isFalse();
        EncodedOperation e = v1.identify(person, profile(), 0, 1, false);
        assertThat(e.sentAsV2).isTrue();
        assertThat(e.method).isEqualTo("POST");
        assertThat(e.path).isEqualTo("/api/v2/entity");
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\""
                                + id
                                + "\"},\"action\":\"identify\",\"timestamp\":1764320400,"
                                + "\"attributes\":{\"first_name\":\"Ada\"}}");
        assertValid(OperationKind.IDENTIFY, e);

        EncodedOperation event =
                v1.event(person, OperationKind.EVENT, "Add_To_Cart", ULID, T, cart(), "7");
        assertThat(event.sentAsV2).isTrue();
        assertThat(event.path).isEqualTo("/api/v2/entity");
        assertThat(body(event)).contains("\"attributes\":{\"sku\":\"A-1\",\"price\":19.99}");
        assertThat(event.dataBytes).isEqualTo(27);
        assertValid(OperationKind.EVENT, event);

        EncodedOperation delete = v1.delete(person);
        assertThat(delete.sentAsV2).isTrue();
        assertThat(delete.method).isEqualTo("POST");
        assertThat(body(delete))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\""
                                + id
                                + "\"},\"action\":\"delete\"}");
    }

    @Test
    void whichIdentifiersAPathNamesSafely() {
        assertThat(V1Encoder.pathIsSafe(PersonIdentifier.id("cust-1001"))).isTrue();
        assertThat(V1Encoder.pathIsSafe(PersonIdentifier.id("cio"))).isTrue();
        assertThat(V1Encoder.pathIsSafe(PersonIdentifier.id("my_cio_1"))).isTrue();
        assertThat(V1Encoder.pathIsSafe(PersonIdentifier.email("ada@example.com"))).isTrue();
        // An email starting with cio_ would be read as a cio_id.
        assertThat(V1Encoder.pathIsSafe(PersonIdentifier.email("cio_ada@example.com"))).isFalse();
        assertThat(
                        v1.identify(
                                        PersonIdentifier.email("cio_ada@example.com"),
                                        profile(),
                                        0,
                                        1,
                                        false)
                                .path)
                .isEqualTo("/api/v2/entity");
    }
}
