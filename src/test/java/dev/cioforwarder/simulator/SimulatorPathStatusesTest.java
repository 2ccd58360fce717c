package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statuses on chosen paths: a wrong region's redirect, a lost route, a conflict; on Track and App
 * API paths, before credentials, healing after {@code times}, nothing applied, and counted.
 */
class SimulatorPathStatusesTest {

    private static final String SITE = "site-paths";
    private static final String KEY = "key-paths";
    private static final String APP_KEY = "app-key-paths";

    @RegisterExtension
    static final RunningSimulator customerio =
            new RunningSimulator(
                    SimulatorConfig.builder().siteId(SITE).apiKey(KEY).appApiKey(APP_KEY).build());

    private static final String EVENT =
            j("{'type':'person','identifiers':{'id':'u1'},'action':'event','name':'opened'}");
    private static final String LOOK_UP = "/v1/customers/u1/attributes?id_type=id";

    private static String batch() {
        return "{\"batch\":[" + EVENT + "]}";
    }

    @Test
    void aRedirectPointsToTheOtherRegionsHostAndAppliesNothing() throws Exception {
        customerio
                .simulator()
                .setFaults(Faults.none().pathStatuses(PathStatus.of("/api/v2/", 301)));

        HttpResponse<String> batch = customerio.client().batch(batch());
        HttpResponse<String> entity = customerio.client().entity(EVENT);

        assertThat(batch.statusCode()).isEqualTo(301);
        assertThat(batch.headers().firstValue("Location"))
                .hasValue("https://track-eu.customer.io/api/v2/batch");
        assertThat(batch.body()).isEmpty();
        assertThat(entity.statusCode()).isEqualTo(301);
        assertThat(entity.headers().firstValue("Location"))
                .hasValue("https://track-eu.customer.io/api/v2/entity");
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(customerio.simulator().people()).isEmpty();
        // Paths outside the prefix are served.
        assertThat(customerio.client().v1Event("u1", j("{'name':'opened'}")).statusCode())
                .isEqualTo(200);
        assertThat(customerio.simulator().faultHits().pathStatuses()).containsExactly(2L);
        assertThat(customerio.simulator().requests())
                .extracting(RequestLogEntry::status)
                .containsExactly(301, 301, 200);
    }

    @Test
    void anEuWorkspaceRedirectsToTheUsHostsAndLocationBaseOverridesThem() throws Exception {
        try (CustomerioSimulator eu =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .siteId(SITE)
                                .apiKey(KEY)
                                .appApiKey(APP_KEY)
                                .region("eu")
                                .build())) {
            SimulatorTestClient client = new SimulatorTestClient(eu, SITE, KEY);
            eu.setFaults(
                    Faults.none()
                            .pathStatuses(
                                    PathStatus.of("/api/v1/customers/", 302),
                                    PathStatus.of("/v1/customers/", 307),
                                    PathStatus.of("/api/v2/", 308)
                                            .locationBase(customerio.simulator().baseUrl())));

            HttpResponse<String> track = client.identify("u1", "{}");
            HttpResponse<String> appApi = client.appApi(LOOK_UP, APP_KEY);
            HttpResponse<String> elsewhere = client.batch(batch());

            assertThat(track.statusCode()).isEqualTo(302);
            assertThat(track.headers().firstValue("Location"))
                    .hasValue("https://track.customer.io/api/v1/customers/u1");
            assertThat(appApi.statusCode()).isEqualTo(307);
            assertThat(appApi.headers().firstValue("Location"))
                    .hasValue("https://api.customer.io" + LOOK_UP);
            assertThat(elsewhere.statusCode()).isEqualTo(308);
            assertThat(elsewhere.headers().firstValue("Location"))
                    .hasValue(customerio.simulator().baseUrl() + "/api/v2/batch");
            assertThat(eu.faultHits().pathStatuses()).containsExactly(1L, 1L, 1L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {404, 405, 409, 410})
    void aStatusForOneMethodOnAPathLeavesTheOtherMethodsAlone(int status) throws Exception {
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .pathStatuses(
                                        PathStatus.of("/api/v1/customers/", status).method("put")));

        HttpResponse<String> identify = customerio.client().identify("u1", j("{'plan':'pro'}"));
        HttpResponse<String> event = customerio.client().v1Event("u1", j("{'name':'opened'}"));

        assertThat(identify.statusCode()).isEqualTo(status);
        assertThat(json(identify).path("meta").path("error").asText()).contains("path_statuses[0]");
        assertThat(identify.headers().firstValue("Location")).isEmpty();
        assertThat(event.statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().personById("u1").orElseThrow().attributes()).isEmpty();
        assertThat(customerio.simulator().summary().responsesByStatus()).containsEntry(status, 1L);
    }

    @Test
    void thePathIsAnsweredBeforeTheCredentialsAreChecked() throws Exception {
        customerio.simulator().setFaults(Faults.none().pathStatuses(PathStatus.of("/", 503)));

        HttpResponse<String> wrongKey =
                customerio
                        .client()
                        .send(
                                "GET",
                                "/api/v1/accounts/region",
                                null,
                                SimulatorTestClient.basic(SITE, "wrong"));

        assertThat(wrongKey.statusCode()).isEqualTo(503);
        assertThat(customerio.client().appApi(LOOK_UP, "wrong").statusCode()).isEqualTo(503);
        // Never the simulator's own endpoints.
        assertThat(customerio.client().inspect("/__simulator/summary").statusCode()).isEqualTo(200);
        assertThat(customerio.client().inspect("/").statusCode()).isEqualTo(200);
    }

    @Test
    void timesHealsThePathAfterThatManyRequests() throws Exception {
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .pathStatuses(
                                        PathStatus.of("/api/v2/batch", 503)
                                                .method("POST")
                                                .times(2)));

        assertThat(customerio.client().batch(batch()).statusCode()).isEqualTo(503);
        assertThat(customerio.client().batch(batch()).statusCode()).isEqualTo(503);
        assertThat(customerio.client().batch(batch()).statusCode()).isEqualTo(200);

        assertThat(customerio.simulator().events()).hasSize(1);
        assertThat(customerio.simulator().faultHits().pathStatuses()).containsExactly(2L);
    }

    @Test
    void appApiPathsTakeStatusesToo() throws Exception {
        customerio.client().identify("u1", j("{'plan':'pro'}"));
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .pathStatuses(
                                        PathStatus.of("/v1/customers/", 404).times(1),
                                        PathStatus.of("/v1/", 301)));

        HttpResponse<String> notFound = customerio.client().appApi(LOOK_UP, APP_KEY);
        HttpResponse<String> moved = customerio.client().appApi(LOOK_UP, APP_KEY);

        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(moved.statusCode()).isEqualTo(301);
        assertThat(moved.headers().firstValue("Location"))
                .hasValue("https://api-eu.customer.io" + LOOK_UP);
        assertThat(customerio.simulator().faultHits().pathStatuses()).containsExactly(1L, 1L);
        // The Track API is untouched.
        assertThat(customerio.client().identify("u1", "{}").statusCode()).isEqualTo(200);

        customerio.simulator().clearFaults();
        HttpResponse<String> found = customerio.client().appApi(LOOK_UP, APP_KEY);
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(json(found).path("customer").path("id").asText()).isEqualTo("u1");
    }

    @Test
    void pathStatusesSetOverHttpAreInForceAndTheirHitsCanBeRead() throws Exception {
        HttpResponse<String> set =
                customerio
                        .client()
                        .setFaults(
                                j(
                                        "{'path_statuses':[{'path_prefix':'/api/v2/batch',"
                                                + "'method':'POST','status':302,'times':1,"
                                                + "'location_base':'https://example.test'}]}"));

        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        JsonNode rule = json(set).path("path_statuses").get(0);
        assertThat(rule.path("path_prefix").asText()).isEqualTo("/api/v2/batch");
        assertThat(rule.path("status").asInt()).isEqualTo(302);
        PathStatus inForce = customerio.simulator().faults().pathStatuses.get(0);
        assertThat(inForce.method).isEqualTo("POST");
        assertThat(inForce.times).isEqualTo(1);

        HttpResponse<String> redirected = customerio.client().batch(batch());
        assertThat(redirected.statusCode()).isEqualTo(302);
        assertThat(redirected.headers().firstValue("Location"))
                .hasValue("https://example.test/api/v2/batch");
        assertThat(customerio.client().batch(batch()).statusCode()).isEqualTo(200);
        assertThat(
                        json(customerio.client().inspect("/__simulator/fault-hits"))
                                .path("path_statuses")
                                .toString())
                .isEqualTo("[1]");
        assertThat(json(customerio.client().inspect("/__simulator/requests?limit=2")).toString())
                .contains("\"status\":302")
                .contains("\"status\":200");

        // {} clears them.
        customerio.simulator().setFaults(Faults.none().pathStatuses(PathStatus.of("/", 404)));
        assertThat(customerio.client().setFaults("{}").statusCode()).isEqualTo(200);
        assertThat(customerio.client().batch(batch()).statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().faultHits().pathStatuses()).isEmpty();
    }

    @Test
    void anUnusableRuleIsRefusedNamingIt() throws Exception {
        String[][] cases = {
            {"{'path_statuses':[{'status':404}]}", "path_statuses[0].path_prefix"},
            {"{'path_statuses':[{'path_prefix':'api/v2','status':404}]}", "path_prefix"},
            {"{'path_statuses':[{'path_prefix':'/__simulator/','status':404}]}", "own endpoints"},
            {"{'path_statuses':[{'path_prefix':'/api','status':0}]}", "path_statuses[0].status"},
            {
                "{'path_statuses':[{'path_prefix':'/api','status':404,'method':'GET /x'}]}",
                "path_statuses[0].method"
            },
            {"{'path_statuses':[{'path_prefix':'/api','status':404,'times':-2}]}", "times"},
            {"{'path_statuses':[{'path':'/api','status':404}]}", "path"},
        };
        for (String[] c : cases) {
            HttpResponse<String> response = customerio.client().setFaults(j(c[0]));

            assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(response).path("error").asText()).as(c[0]).contains(c[1]);
        }
        assertThat(customerio.simulator().faults().pathStatuses).isEmpty();
    }
}
