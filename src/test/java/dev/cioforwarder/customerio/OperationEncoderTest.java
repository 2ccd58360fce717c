package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * One encoder per API mode: {@code v1} requests, or {@code v2-batch} operations with anonymous
 * events in the batch unless that is turned off.
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
}
