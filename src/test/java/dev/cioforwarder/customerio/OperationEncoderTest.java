package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One encoder per API mode: {@code v1} requests, or {@code v2-batch} operations with anonymous
 * events in the batch unless that is turned off. The API mode is read once, to pick the encoder: a
 * v1 encoding always names its own path, so it always goes in a request of its own, and only a
 * {@code /api/v2/batch} operation has none; the batcher and the size rules rely on that instead of
 * reading the mode again.
 */
class OperationEncoderTest {

    private static final String ULID = "01KB4V1MM06Y3J8DEFDKJ4Z1RF";

    @Test
    void eachModeHasItsEncoder() {
        assertThat(OperationEncoder.forMode(ApiMode.V1)).isInstanceOf(V1Encoder.class);
        assertThat(OperationEncoder.forMode(ApiMode.V2_BATCH)).isInstanceOf(V2Encoder.class);
        assertThat(OperationEncoder.forMode(ApiMode.V1, true)).isInstanceOf(V1Encoder.class);
    }

    @Test
    void v2BatchPutsAnonymousEventsInTheBatchByDefault() {
        EncodedOperation e =
                OperationEncoder.forMode(ApiMode.V2_BATCH)
                        .anonymousEvent(
                                OperationKind.EVENT, "E", ULID, 1L, new Attributes(), "anon-1");
        assertThat(e.path).isNull();
        assertThat(new String(e.body, StandardCharsets.UTF_8))
                .startsWith("{\"type\":\"person\",\"identifiers\":{\"anonymous_id\":\"anon-1\"}");
    }

    @Test
    void anonymousEventsOutsideTheBatchAreV1EventsRequestsInEitherMode() {
        for (OperationEncoder encoder :
                new OperationEncoder[] {
                    OperationEncoder.forMode(ApiMode.V2_BATCH, false),
                    OperationEncoder.forMode(ApiMode.V1, true)
                }) {
            EncodedOperation e =
                    encoder.anonymousEvent(
                            OperationKind.EVENT, "E", ULID, 1L, new Attributes(), "anon-1");
            assertThat(e.method).isEqualTo("POST");
            assertThat(e.path).isEqualTo("/api/v1/events");
        }
    }

    @Test
    void aDeviceWithoutAttributesHasNoAttributesObject() {
        PersonIdentifier ada = PersonIdentifier.id("cust-1001");
        OperationEncoder v2 = OperationEncoder.forMode(ApiMode.V2_BATCH);
        assertThat(new String(v2.addDevice(ada, "t", "ios", 5L).body, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"add_device\",\"device\":{\"token\":\"t\","
                                + "\"platform\":\"ios\",\"last_used\":5}}");
        OperationEncoder v1 = OperationEncoder.forMode(ApiMode.V1);
        assertThat(new String(v1.addDevice(ada, "t", "ios", 5L).body, StandardCharsets.UTF_8))
                .isEqualTo("{\"device\":{\"id\":\"t\",\"platform\":\"ios\",\"last_used\":5}}");
    }

    /** One id Customer.io reads safely from a v1 path, and two it would not (sent as v2). */
    private static final List<PersonIdentifier> PEOPLE =
            List.of(
                    PersonIdentifier.id("cust-1001"),
                    PersonIdentifier.id("cio_0123"),
                    PersonIdentifier.id("ada@example.com"),
                    PersonIdentifier.email("ada@example.com"));

    private static List<EncodedOperation> everyEncoding(OperationEncoder encoder) {
        List<EncodedOperation> all = new ArrayList<>();
        for (PersonIdentifier person : PEOPLE) {
            ProfileUpdate update = new ProfileUpdate();
            update.attributes.add("first_name", dev.cioforwarder.json.ValueType.STRING, "Ada");
            update.timestampSeconds = 1764320400L;
            all.add(encoder.identify(person, update, 0, 1, true));
            all.add(
                    encoder.event(
                            person,
                            OperationKind.EVENT,
                            "played",
                            "01JC0000000000000000000000",
                            1764320400L,
                            new Attributes(),
                            "42"));
            all.add(
                    encoder.event(
                            person,
                            OperationKind.SCREEN,
                            "home",
                            "01JC0000000000000000000001",
                            1764320400L,
                            new Attributes(),
                            "42"));
            all.add(encoder.delete(person));
            all.add(encoder.addDevice(person, "apns-1", "ios", 1764320400L));
            all.add(encoder.deleteDevice(person, "apns-1"));
        }
        all.add(
                encoder.anonymousEvent(
                        OperationKind.EVENT,
                        "played",
                        "01JC0000000000000000000002",
                        1764320400L,
                        new Attributes(),
                        "42"));
        return all;
    }

    @Test
    void everyV1EncodingNamesItsOwnPath() {
        List<EncodedOperation> v1 = everyEncoding(OperationEncoder.forMode(ApiMode.V1));
        assertThat(v1).isNotEmpty().allSatisfy(e -> assertThat(e.path).isNotNull());
        assertThat(v1).anySatisfy(e -> assertThat(e.sentAsV2).isTrue());
    }

    @Test
    void v2BatchOperationsHaveNoPathExceptAnonymousEventsSentAlone() {
        assertThat(everyEncoding(OperationEncoder.forMode(ApiMode.V2_BATCH, true)))
                .allSatisfy(e -> assertThat(e.path).isNull());
        List<EncodedOperation> alone =
                everyEncoding(OperationEncoder.forMode(ApiMode.V2_BATCH, false));
        assertThat(alone.get(alone.size() - 1).path).isEqualTo("/api/v1/events");
        assertThat(alone.subList(0, alone.size() - 1)).allSatisfy(e -> assertThat(e.path).isNull());
    }
}
