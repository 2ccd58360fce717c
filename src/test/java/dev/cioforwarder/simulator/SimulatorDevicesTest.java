package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.segment;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import dev.cioforwarder.testing.TrackApiSpec;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Push devices in the simulator: v1 {@code PUT .../devices} and {@code DELETE .../devices/{token}},
 * v2 {@code add_device} and {@code delete_device} (in {@code /entity} and {@code /batch}) change
 * the person's devices, validated against the official description like the other endpoints.
 */
class SimulatorDevicesTest {

    private static final String SITE = "site-devices";
    private static final String KEY = "key-devices";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    private static void ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static HttpResponse<String> v1AddDevice(String identifier, String body)
            throws Exception {
        return customerio
                .client()
                .track("PUT", "/api/v1/customers/" + segment(identifier) + "/devices", body);
    }

    private static HttpResponse<String> v1DeleteDevice(String identifier, String token)
            throws Exception {
        return customerio
                .client()
                .track(
                        "DELETE",
                        "/api/v1/customers/" + segment(identifier) + "/devices/" + segment(token),
                        null);
    }

    private static String device(String id, String action, String device) {
        return j(
                "{'type':'person','identifiers':{'id':'"
                        + id
                        + "'},'action':'"
                        + action
                        + "','device':"
                        + device
                        + "}");
    }

    /** The person's devices as "token platform last_used", in the order they were added. */
    private static List<String> devicesOf(String id) {
        return customerio.simulator().personById(id).orElseThrow().devices().stream()
                .map(
                        d ->
                                d.get("token").asText()
                                        + " "
                                        + d.get("platform").asText()
                                        + " "
                                        + d.get("last_used").asLong())
                .collect(Collectors.toList());
    }

    /**
     * Device attributes are strings (push_enabled "true" or "false"); an update replaces those it
     * names and keeps the others.
     */
    @Test
    void deviceAttributesAreStoredAndUpdatedByName() throws Exception {
        ok(customerio.client().identify("u9", j("{}")));
        ok(
                customerio
                        .client()
                        .entity(
                                device(
                                        "u9",
                                        "add_device",
                                        "{'token':'apns-9','platform':'ios','last_used':1700000000,"
                                            + "'attributes':{'device_os':'17.1','app_version':'5.0'}}")));
        ok(
                customerio
                        .client()
                        .entity(
                                device(
                                        "u9",
                                        "add_device",
                                        "{'token':'apns-9','platform':'ios','last_used':1700000100,"
                                                + "'attributes':{'app_version':'5.1'}}")));
        assertThat(
                        customerio
                                .simulator()
                                .personById("u9")
                                .orElseThrow()
                                .devices()
                                .get(0)
                                .get("attributes")
                                .toString())
                .isEqualTo("{\"device_os\":\"17.1\",\"app_version\":\"5.1\"}");

        HttpResponse<String> number =
                customerio
                        .client()
                        .entity(
                                device(
                                        "u9",
                                        "add_device",
                                        "{'token':'apns-9','platform':'ios',"
                                                + "'attributes':{'app_version':5}}"));
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(number.body()).contains("device.attributes.app_version");
        HttpResponse<String> pushEnabled =
                customerio
                        .client()
                        .entity(
                                device(
                                        "u9",
                                        "add_device",
                                        "{'token':'apns-9','platform':'ios',"
                                                + "'attributes':{'push_enabled':'yes'}}"));
        assertThat(pushEnabled.statusCode()).isEqualTo(400);
    }

    @Test
    void v2AddsUpdatesAndDeletesAPersonsDevicesByToken() throws Exception {
        ok(customerio.client().identify("u1", j("{'plan':'pro'}")));
        ok(
                customerio
                        .client()
                        .entity(
                                device(
                                        "u1",
                                        "add_device",
                                        "{'token':'apns-1','platform':'ios','last_used':1700000000}")));
        ok(
                customerio
                        .client()
                        .batch(
                                "{\"batch\":["
                                        + device(
                                                "u1",
                                                "add_device",
                                                "{'token':'fcm-2','platform':'android',"
                                                        + "'last_used':1700000100}")
                                        + ","
                                        + device(
                                                "u1",
                                                "add_device",
                                                "{'token':'apns-1','platform':'ios',"
                                                        + "'last_used':1700000200}")
                                        + "]}"));
        // The same token again updates the device: a person has each token once.
        assertThat(devicesOf("u1"))
                .containsExactly("fcm-2 android 1700000100", "apns-1 ios 1700000200");

        ok(customerio.client().entity(device("u1", "delete_device", "{'token':'fcm-2'}")));
        assertThat(devicesOf("u1")).containsExactly("apns-1 ios 1700000200");
        assertThat(customerio.simulator().summary().peopleCreatedByDevices()).isZero();
    }

    @Test
    void v1AddsAndDeletesDevicesThroughTheDevicesEndpoints() throws Exception {
        ok(customerio.client().identify("u/1", j("{'plan':'pro'}")));
        ok(
                v1AddDevice(
                        "u/1",
                        j(
                                "{'device':{'id':'tok/+"
                                        + " 1','platform':'android','last_used':1700000000}}")));
        ok(v1AddDevice("u/1", j("{'device':{'id':'apns-2','platform':'ios'}}")));
        assertThat(devicesOf("u/1")).hasSize(2).first().isEqualTo("tok/+ 1 android 1700000000");
        // Without last_used Customer.io takes the time of the request.
        assertThat(
                        customerio
                                .simulator()
                                .personById("u/1")
                                .orElseThrow()
                                .devices()
                                .get(1)
                                .get("last_used")
                                .asLong())
                .isGreaterThan(1_700_000_000L);

        // The token is one percent-encoded path segment, like the identifier.
        ok(v1DeleteDevice("u/1", "tok/+ 1"));
        assertThat(devicesOf("u/1")).extracting(d -> d.split(" ")[0]).containsExactly("apns-2");
        ok(v1DeleteDevice("u/1", "never-added"));
        assertThat(devicesOf("u/1")).hasSize(1);
    }

    @Test
    void aDeviceForAPersonNobodyIdentifiedCreatesThemAndIsCounted() throws Exception {
        ok(
                customerio
                        .client()
                        .entity(
                                device(
                                        "ghost",
                                        "add_device",
                                        "{'token':'t','platform':'ios','last_used':1700000000}")));
        ok(v1AddDevice("ghost-2", j("{'device':{'id':'t2','platform':'android'}}")));
        ok(customerio.client().entity(device("nobody", "delete_device", "{'token':'t'}")));

        assertThat(customerio.simulator().summary().peopleCreatedByDevices()).isEqualTo(2);
        assertThat(customerio.simulator().people())
                .extracting(Person::id)
                .containsExactlyInAnyOrder("ghost", "ghost-2");
    }

    @Test
    void anInvalidDeviceOperationIsRefusedAndChangesNothing() throws Exception {
        ok(customerio.client().identify("u1", j("{'plan':'pro'}")));
        HttpResponse<String> batch =
                customerio
                        .client()
                        .batch(
                                "{\"batch\":["
                                        + device(
                                                "u1",
                                                "add_device",
                                                "{'token':'w','platform':'web','last_used':1700000000}")
                                        + ","
                                        + device(
                                                "u1",
                                                "add_device",
                                                "{'token':'ok','platform':'ios','last_used':1700000000}")
                                        + "]}");
        assertThat(batch.statusCode()).isEqualTo(207);
        JsonNode errors = SimulatorTestClient.json(batch).get("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).get("batch_index").asInt()).isZero();
        assertThat(errors.get(0).get("field").asText()).isEqualTo("device.platform");

        assertThat(
                        v1AddDevice(
                                        "u1",
                                        j(
                                                "{'device':{'id':'x','platform':'ios','last_used':1700000000000}}"))
                                .statusCode())
                .isEqualTo(400);
        assertThat(devicesOf("u1")).containsExactly("ok ios 1700000000");
    }

    enum Endpoint {
        V1_ADD_DEVICE(TrackApiSpec.V1_ADD_DEVICE),
        V2_ENTITY(TrackApiSpec.V2_BATCH_ITEM);

        final JsonSchema schema;

        Endpoint(JsonSchema schema) {
            this.schema = schema;
        }
    }

    private static Arguments agree(Endpoint endpoint, String body) {
        return Arguments.of(endpoint, j(body), true, "");
    }

    private static Arguments stricter(Endpoint endpoint, String body, String why) {
        return Arguments.of(endpoint, j(body), false, why);
    }

    private static String person(String action, String device) {
        return "{'type':'person','identifiers':{'id':'u1'},'action':'"
                + action
                + "'"
                + device
                + "}";
    }

    /**
     * Device bodies the simulator accepts if and only if the description does, except the listed
     * ones it refuses on purpose ({@code false}, with the reason).
     */
    static Stream<Arguments> bodies() {
        Endpoint v1 = Endpoint.V1_ADD_DEVICE;
        Endpoint v2 = Endpoint.V2_ENTITY;
        String ms = "milliseconds: Customer.io accepts them but they break segments";
        return Stream.of(
                agree(v1, "{'device':{'id':'t','platform':'ios','last_used':1700000000}}"),
                agree(v1, "{'device':{'id':'t','platform':'android'}}"),
                agree(
                        v1,
                        "{'device':{'id':'t','platform':'ios','attributes':{'app_version':'4'}}}"),
                agree(v1, "{'device':{'id':'t'}}"),
                agree(v1, "{'device':{'platform':'ios'}}"),
                agree(v1, "{'device':{'id':5,'platform':'ios'}}"),
                agree(v1, "{'device':{'id':'t','platform':'web'}}"),
                agree(v1, "{'device':{'id':'t','platform':'ios','last_used':'1700000000'}}"),
                agree(v1, "{}"),
                stricter(
                        v1, "{'device':{'id':'t','platform':'ios','last_used':1700000000000}}", ms),
                stricter(
                        v1, "{'device':{'id':'','platform':'ios'}}", "an empty token is no device"),
                agree(v2, person("add_device", ",'device':{'token':'t','platform':'ios'}")),
                agree(
                        v2,
                        person(
                                "add_device",
                                ",'device':{'token':'t','platform':'android','last_used':1700000000}")),
                agree(v2, person("add_device", ",'device':{'token':'t'}")),
                agree(v2, person("add_device", ",'device':{'id':'t','platform':'ios'}")),
                agree(v2, person("add_device", ",'device':{'token':'t','platform':'roku'}")),
                agree(v2, person("add_device", ",'device':{'token':7,'platform':'ios'}")),
                agree(v2, person("add_device", "")),
                agree(v2, person("delete_device", ",'device':{'token':'t'}")),
                agree(v2, person("delete_device", ",'device':{'platform':'ios'}")),
                agree(v2, person("delete_device", "")),
                stricter(
                        v2,
                        person(
                                "add_device",
                                ",'device':{'token':'t','platform':'ios','last_used':1700000000000}"),
                        ms),
                stricter(
                        v2,
                        person("delete_device", ",'device':{'token':''}"),
                        "an empty token is no device"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bodies")
    void theSimulatorAcceptsTheDeviceBodiesTheDescriptionAccepts(
            Endpoint endpoint, String body, boolean agrees, String why) throws Exception {
        List<String> violations = TrackApiSpec.violations(endpoint.schema, body);
        HttpResponse<String> response =
                endpoint == Endpoint.V1_ADD_DEVICE
                        ? v1AddDevice("u1", body)
                        : customerio.client().entity(body);
        assertThat(response.statusCode()).as(response.body()).isIn(200, 400);
        boolean accepted = response.statusCode() == 200;
        if (agrees) {
            assertThat(accepted)
                    .as("simulator accepts %s; description violations: %s", body, violations)
                    .isEqualTo(violations.isEmpty());
        } else {
            assertThat(violations).as("description accepts (%s)", why).isEmpty();
            assertThat(accepted).as("simulator refuses (%s)", why).isFalse();
        }
    }
}
