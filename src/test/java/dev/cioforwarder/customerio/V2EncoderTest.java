package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.testing.OperationChecks;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Track API v2 person operations, each the object that goes into {@code /api/v2/batch}: exactly the
 * bytes the description's {@code batch} items define (the identifier in {@code identifiers}, an
 * event's properties in {@code attributes}, not {@code data}), and valid against it ({@link
 * OperationChecks}).
 */
class V2EncoderTest {

    private static final PersonIdentifier ADA = PersonIdentifier.id("cust-1001");
    private static final String ULID = "01KB4V1MM06Y3J8DEFDKJ4Z1RF";
    private static final long T = 1764320400L;

    private final V2Encoder v2 = new V2Encoder(true);

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
        assertThat(OperationChecks.violations(op, ApiMode.V2_BATCH, true)).as(body(e)).isEmpty();
    }

    private static ProfileUpdate profile() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("first_name", ValueType.STRING, "Ada");
        update.attributes.add("age", ValueType.NUMBER, "36");
        update.attributes.add("vip", ValueType.BOOLEAN, "true");
        update.attributes.add("tags", ValueType.JSON, "[\"a\",\"b\"]");
        update.createdAtSeconds = 1764320000L;
        update.unsubscribed = false;
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
    void identifyPutsTheProfileInAttributesWithItsTimestamp() {
        EncodedOperation e = v2.identify(ADA, profile(), 0, 4, true);
        assertThat(e.method).isNull();
        assertThat(e.path).isNull();
        assertThat(e.sentAsV2).isFalse();
        assertThat(e.dataBytes).isZero();
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"identify\",\"timestamp\":1764320400,"
                                + "\"attributes\":{\"first_name\":\"Ada\",\"age\":36,"
                                + "\"vip\":true,\"tags\":[\"a\",\"b\"],"
                                + "\"created_at\":1764320000,\"unsubscribed\":false}}");
        assertValid(OperationKind.IDENTIFY, e);
    }

    @Test
    void aSplitIdentifyCarriesItsSliceAndTheControlFieldsOnlyWhereAsked() {
        EncodedOperation e = v2.identify(ADA, profile(), 1, 3, false);
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"identify\",\"timestamp\":1764320400,"
                                + "\"attributes\":{\"age\":36,\"vip\":true}}");
        assertValid(OperationKind.IDENTIFY, e);
    }

    @Test
    void anEmailAddressedIdentifyGivesThePersonTheirIdFirst() {
        ProfileUpdate update = new ProfileUpdate();
        update.attachId = "cust-1001";
        update.anonymousId = "anon-9";
        update.attributes.add("email", ValueType.STRING, "ada@example.com");
        update.timestampSeconds = T;
        EncodedOperation e =
                v2.identify(PersonIdentifier.email("ada@example.com"), update, 0, 1, true);
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"email\":\"ada@example.com\"},"
                                + "\"action\":\"identify\",\"timestamp\":1764320400,"
                                + "\"attributes\":{\"id\":\"cust-1001\","
                                + "\"email\":\"ada@example.com\",\"anonymous_id\":\"anon-9\"}}");
        assertValid(OperationKind.IDENTIFY, e);
    }

    @Test
    void valuesKeepTheirJsonTypeAndExactNumberText() {
        ProfileUpdate update = new ProfileUpdate();
        update.attributes.add("price", ValueType.NUMBER, "1.10");
        update.attributes.add("big", ValueType.NUMBER, "12345678901234567890123");
        update.attributes.add("zip", ValueType.STRING, "01234");
        update.attributes.add("removed", ValueType.NULL, "");
        update.attributes.add("address", ValueType.JSON, "{\"city\":\"Z\\u00fcrich\"}");
        update.timestampSeconds = T;
        EncodedOperation e = v2.identify(ADA, update, 0, 5, true);
        assertThat(body(e))
                .endsWith(
                        "\"attributes\":{\"price\":1.10,\"big\":12345678901234567890123,"
                                + "\"zip\":\"01234\",\"removed\":null,"
                                + "\"address\":{\"city\":\"Z\\u00fcrich\"}}}");
    }

    @Test
    void anEventCarriesItsPropertiesInAttributesAndMeasuresThem() {
        EncodedOperation e =
                v2.event(ADA, OperationKind.EVENT, "Add_To_Cart", ULID, T, cart(), "7");
        assertThat(e.path).isNull();
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"event\",\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\","
                                + "\"name\":\"Add_To_Cart\",\"timestamp\":1764320400,"
                                + "\"attributes\":{\"sku\":\"A-1\",\"price\":19.99}}");
        // {"sku":"A-1","price":19.99}
        assertThat(e.dataBytes).isEqualTo(27);
        assertValid(OperationKind.EVENT, e);
    }

    @Test
    void aScreenViewIsTheScreenActionWithoutAnAnonymousId() {
        EncodedOperation e =
                v2.event(
                        PersonIdentifier.email("ada@example.com"),
                        OperationKind.SCREEN,
                        "Home",
                        ULID,
                        T,
                        new Attributes(),
                        "7");
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"email\":\"ada@example.com\"},"
                                + "\"action\":\"screen\",\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\","
                                + "\"name\":\"Home\",\"timestamp\":1764320400,"
                                + "\"attributes\":{}}");
        assertThat(e.dataBytes).isEqualTo(2);
        assertValid(OperationKind.SCREEN, e);
    }

    @Test
    void aDeletionNamesThePersonAndNothingElse() {
        EncodedOperation e = v2.delete(PersonIdentifier.email("ada@example.com"));
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"email\":\"ada@example.com\"},"
                                + "\"action\":\"delete\"}");
        assertThat(e.path).isNull();
        assertValid(OperationKind.DELETE, e);
    }

    @Test
    void anAnonymousEventGoesIntoTheBatchByAnonymousId() {
        EncodedOperation e =
                v2.anonymousEvent(OperationKind.EVENT, "Add_To_Cart", ULID, T, cart(), "anon-9");
        assertThat(e.method).isNull();
        assertThat(e.path).isNull();
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"anonymous_id\":\"anon-9\"},"
                                + "\"action\":\"event\",\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\","
                                + "\"name\":\"Add_To_Cart\",\"timestamp\":1764320400,"
                                + "\"attributes\":{\"sku\":\"A-1\",\"price\":19.99}}");
        assertThat(e.dataBytes).isEqualTo(27);
        assertValid(OperationKind.EVENT, e);
    }

    @Test
    void withoutAnonymousEventsInTheBatchOneIsAV1EventsRequest() {
        EncodedOperation e =
                new V2Encoder(false)
                        .anonymousEvent(OperationKind.SCREEN, "Home", ULID, T, cart(), "anon-9");
        assertThat(e.method).isEqualTo("POST");
        assertThat(e.path).isEqualTo("/api/v1/events");
        assertThat(body(e))
                .isEqualTo(
                        "{\"name\":\"Home\",\"type\":\"screen\",\"anonymous_id\":\"anon-9\","
                                + "\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\",\"timestamp\":1764320400,"
                                + "\"data\":{\"sku\":\"A-1\",\"price\":19.99}}");
        assertThat(e.dataBytes).isEqualTo(27);
        assertValid(OperationKind.SCREEN, e);
    }

    @Test
    void aDeviceWithAttributesNamesTheTokenToken() {
        EncodedOperation e =
                v2.addDevice(
                        ADA,
                        "apns-1",
                        "ios",
                        T,
                        DeviceAttributes.of("17.1", "iPhone15,2", "4.2.0", "en-GB"));
        assertThat(body(e))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"add_device\",\"device\":{\"token\":\"apns-1\","
                                + "\"platform\":\"ios\",\"last_used\":1764320400,"
                                + "\"attributes\":{\"device_os\":\"17.1\","
                                + "\"device_model\":\"iPhone15,2\",\"app_version\":\"4.2.0\","
                                + "\"device_locale\":\"en-GB\"}}}");
        assertValid(OperationKind.ADD_DEVICE, e);
    }

    @Test
    void theEncoderReusesItsBufferWithoutMixingBodies() {
        byte[] first = v2.delete(ADA).body;
        v2.event(ADA, OperationKind.EVENT, "Add_To_Cart", ULID, T, cart(), "7");
        assertThat(new String(first, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"delete\"}");
        assertThat(body(v2.delete(PersonIdentifier.id("b"))))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"b\"},\"action\":\"delete\"}");
    }
}
