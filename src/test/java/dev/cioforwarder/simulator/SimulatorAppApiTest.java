package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The App API person look-up as Customer.io answers it: the documented answer shape ({@code
 * customer.attributes.cio_id}), ID-only workspaces (400 to {@code id_type=email}, email an ordinary
 * attribute), and the lag behind the Track API.
 */
class SimulatorAppApiTest {

    private static final String APP_KEY = "app-key-lookups";

    @RegisterExtension
    static final RunningSimulator emailAndId =
            new RunningSimulator(
                    SimulatorConfig.builder()
                            .appApiKey(APP_KEY)
                            .appApiIdentifiersObject(false)
                            .build());

    @RegisterExtension
    static final RunningSimulator idOnly =
            new RunningSimulator(
                    SimulatorConfig.builder().appApiKey(APP_KEY).idOnlyWorkspace(true).build());

    @RegisterExtension
    static final RunningSimulator lagging =
            new RunningSimulator(
                    SimulatorConfig.builder()
                            .appApiKey(APP_KEY)
                            .appApiLag(Duration.ofMillis(1500))
                            .build());

    @Test
    void theAnswerHasTheCioIdAmongTheAttributesAsDocumented() throws Exception {
        assertThat(
                        emailAndId
                                .client()
                                .identify("u1", j("{'email':'a@x.io','plan':'pro'}"))
                                .statusCode())
                .isEqualTo(200);
        String cioId = emailAndId.simulator().personById("u1").orElseThrow().cioId();

        for (String lookUp :
                new String[] {
                    "/v1/customers/u1/attributes?id_type=id",
                    "/v1/customers/a%40x.io/attributes?id_type=email",
                    "/v1/customers/" + cioId + "/attributes?id_type=cio_id"
                }) {
            HttpResponse<String> found = emailAndId.client().appApi(lookUp, APP_KEY);
            assertThat(found.statusCode()).as(lookUp).isEqualTo(200);
            JsonNode customer = json(found).get("customer");
            assertThat(customer.has("identifiers")).isFalse();
            assertThat(customer.path("attributes").path("cio_id").asText()).isEqualTo(cioId);
            assertThat(customer.path("attributes").path("id").asText()).isEqualTo("u1");
            assertThat(customer.path("attributes").path("email").asText()).isEqualTo("a@x.io");
            assertThat(customer.path("attributes").path("plan").asText()).isEqualTo("pro");
        }
    }

    @Test
    void anIdOnlyWorkspaceRefusesALookUpByEmailAndKeepsEmailAsAnAttribute() throws Exception {
        SimulatorTestClient client = idOnly.client();
        assertThat(client.identify("u1", j("{'email':'a@x.io'}")).statusCode()).isEqualTo(200);
        // Email is not unique there: another person may have the same one.
        assertThat(client.identify("u2", j("{'email':'a@x.io'}")).statusCode()).isEqualTo(200);
        // And an identify by id changes it like any attribute (no "Allow updates to email
        // using ID" needed, no attribute update failure).
        assertThat(client.identify("u1", j("{'email':'b@x.io'}")).statusCode()).isEqualTo(200);

        assertThat(idOnly.simulator().people()).hasSize(2);
        assertThat(idOnly.simulator().personById("u1").orElseThrow().email()).isEqualTo("b@x.io");
        assertThat(idOnly.simulator().personById("u2").orElseThrow().email()).isEqualTo("a@x.io");
        assertThat(idOnly.simulator().summary().attributeUpdateFailures()).isZero();

        HttpResponse<String> byEmail =
                client.appApi("/v1/customers/b%40x.io/attributes?id_type=email", APP_KEY);
        assertThat(byEmail.statusCode()).isEqualTo(400);
        HttpResponse<String> byId =
                client.appApi("/v1/customers/u1/attributes?id_type=id", APP_KEY);
        assertThat(byId.statusCode()).isEqualTo(200);
        JsonNode customer = json(byId).get("customer");
        assertThat(customer.path("identifiers").has("email")).isFalse();
        assertThat(customer.path("attributes").path("email").asText()).isEqualTo("b@x.io");
    }

    @Test
    void theAppApiFindsAPersonOnlyAfterItsLag() throws Exception {
        SimulatorTestClient client = lagging.client();
        long sent = System.currentTimeMillis();
        assertThat(client.identify("u1", j("{'plan':'pro'}")).statusCode()).isEqualTo(200);
        long acknowledged = System.currentTimeMillis();
        // The Track API has the person at once...
        assertThat(lagging.simulator().personById("u1")).isPresent();
        String lookUp = "/v1/customers/u1/attributes?id_type=id";
        int status = client.appApi(lookUp, APP_KEY).statusCode();
        if (System.currentTimeMillis() - sent < 1500) {
            // ...the App API not yet (skipped only on a machine too slow to ask within the lag).
            assertThat(status).isEqualTo(404);
        }
        Thread.sleep(Math.max(0, acknowledged + 1600 - System.currentTimeMillis()));
        assertThat(client.appApi(lookUp, APP_KEY).statusCode()).isEqualTo(200);
    }
}
