package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.OperationChecks;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Push device operations in both API modes, exactly as the official description defines them: v2
 * {@code add_device}/{@code delete_device} (the token in {@code device.token}), v1 {@code PUT
 * .../devices} (in {@code device.id}) and {@code DELETE .../devices/{token}}, each valid against
 * the description ({@link OperationChecks}).
 */
class DeviceEncodingTest {

    private static final PersonIdentifier ADA = PersonIdentifier.id("cust-1001");

    private static CustomerioOperation op(OperationKind kind, EncodedOperation e) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = kind;
        op.method = e.method;
        op.path = e.path;
        op.body = e.body;
        return op;
    }

    private static String body(EncodedOperation e) {
        return new String(e.body, StandardCharsets.UTF_8);
    }

    private static void assertValid(OperationKind kind, EncodedOperation e, ApiMode mode) {
        assertThat(OperationChecks.violations(op(kind, e), mode, true)).as(body(e)).isEmpty();
    }

    @Test
    void v2AddsAndDeletesADeviceInsideABatch() {
        OperationEncoder v2 = OperationEncoder.forMode(ApiMode.V2_BATCH);
        EncodedOperation add = v2.addDevice(ADA, "apns-1", "ios", 1764320400L);
        assertThat(add.path).isNull();
        assertThat(body(add))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"id\":\"cust-1001\"},"
                                + "\"action\":\"add_device\",\"device\":{\"token\":\"apns-1\","
                                + "\"platform\":\"ios\",\"last_used\":1764320400}}");
        assertValid(OperationKind.ADD_DEVICE, add, ApiMode.V2_BATCH);

        EncodedOperation delete =
                v2.deleteDevice(PersonIdentifier.email("ada@example.com"), "fcm-2");
        assertThat(body(delete))
                .isEqualTo(
                        "{\"type\":\"person\",\"identifiers\":{\"email\":\"ada@example.com\"},"
                                + "\"action\":\"delete_device\",\"device\":{\"token\":\"fcm-2\"}}");
        assertValid(OperationKind.DELETE_DEVICE, delete, ApiMode.V2_BATCH);
    }

    @Test
    void v1UsesTheDevicesEndpointsWithTheTokenAsOnePathSegment() {
        OperationEncoder v1 = OperationEncoder.forMode(ApiMode.V1);
        EncodedOperation add = v1.addDevice(ADA, "fcm-2", "android", 1764320400L);
        assertThat(add.method).isEqualTo("PUT");
        assertThat(add.path).isEqualTo("/api/v1/customers/cust-1001/devices");
        assertThat(body(add))
                .isEqualTo(
                        "{\"device\":{\"id\":\"fcm-2\",\"platform\":\"android\","
                                + "\"last_used\":1764320400}}");
        assertValid(OperationKind.ADD_DEVICE, add, ApiMode.V1);

        EncodedOperation delete =
                v1.deleteDevice(PersonIdentifier.email("ada@example.com"), "a/b:c+d");
        assertThat(delete.method).isEqualTo("DELETE");
        assertThat(delete.path)
                .isEqualTo("/api/v1/customers/ada%40example.com/devices/a%2Fb%3Ac%2Bd");
        assertThat(delete.body).isEmpty();
        assertValid(OperationKind.DELETE_DEVICE, delete, ApiMode.V1);
    }

    @Test
    void v1SendsAPersonAPathWouldMisreadAsAV2Operation() {
        OperationEncoder v1 = OperationEncoder.forMode(ApiMode.V1);
        for (EncodedOperation e :
                new EncodedOperation[] {
                    v1.addDevice(PersonIdentifier.id("a@b.io"), "t", "ios", 1L),
                    v1.deleteDevice(PersonIdentifier.id("cio_123"), "t")
                }) {
            assertThat(e.sentAsV2).isTrue();
            assertThat(e.method).isEqualTo("POST");
            assertThat(e.path).isEqualTo("/api/v2/entity");
            assertThat(body(e)).contains("\"identifiers\":{\"id\":");
        }
        assertValid(
                OperationKind.ADD_DEVICE,
                v1.addDevice(PersonIdentifier.id("a@b.io"), "t", "ios", 1L),
                ApiMode.V1);
    }
}
