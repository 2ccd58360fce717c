package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Basic auth on every track endpoint, and the region check. */
class SimulatorAuthTest {

    private static final String SITE = "site-auth";
    private static final String KEY = "key-auth-0123456789";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    /** One request per track endpoint, each valid when authorised. */
    static Stream<Arguments> endpoints() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/accounts/region", null),
                Arguments.of("PUT", "/api/v1/customers/u1", j("{'plan':'pro'}")),
                Arguments.of("POST", "/api/v1/customers/u1/events", j("{'name':'opened'}")),
                Arguments.of(
                        "POST",
                        "/api/v2/entity",
                        j(
                                "{'type':'person','identifiers':{'id':'u1'},'action':'identify',"
                                        + "'attributes':{'plan':'pro'}}")),
                Arguments.of(
                        "POST",
                        "/api/v2/batch",
                        j(
                                "{'batch':[{'type':'person','identifiers':{'id':'u1'},"
                                        + "'action':'event','name':'opened'}]}")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void theRightCredentialsPass(String method, String path, String body) throws Exception {
        HttpResponse<String> response =
                customerio.client().send(method, path, body, customerio.client().authorization);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("endpoints")
    void wrongKeyWrongSiteAndNoHeaderAre401WithAnEmptyBody(String method, String path, String body)
            throws Exception {
        String[] wrong = {
            SimulatorTestClient.basic(SITE, KEY + "x"),
            SimulatorTestClient.basic("other-site", KEY),
            SimulatorTestClient.basic(KEY, SITE),
            "Bearer " + KEY,
            "Basic not-base64!",
            null
        };
        for (String authorization : wrong) {
            HttpResponse<String> response =
                    customerio.client().send(method, path, body, authorization);

            assertThat(response.statusCode()).as("Authorization: %s", authorization).isEqualTo(401);
            assertThat(response.body()).as("Authorization: %s", authorization).isEmpty();
        }
        // Nothing was applied, and every refusal was counted.
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(customerio.simulator().summary().responsesByStatus())
                .containsEntry(401, (long) wrong.length);
        assertThat(customerio.simulator().summary().operations()).isZero();
    }

    @Test
    void theRegionEndpointAnswersTheConfiguredRegionAndUrl() throws Exception {
        HttpResponse<String> us = customerio.client().region();

        assertThat(us.statusCode()).isEqualTo(200);
        assertThat(json(us).path("region").asText()).isEqualTo("us");
        assertThat(json(us).path("url").asText()).isEqualTo("https://track.customer.io");

        try (CustomerioSimulator eu =
                CustomerioSimulator.start(
                        SimulatorConfig.builder().siteId(SITE).apiKey(KEY).region("eu").build())) {
            SimulatorTestClient euClient = new SimulatorTestClient(eu, SITE, KEY);
            HttpResponse<String> response = euClient.region();

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).path("region").asText()).isEqualTo("eu");
            assertThat(json(response).path("url").asText())
                    .isEqualTo("https://track-eu.customer.io");
            // Another instance's key does not open this one.
            assertThat(
                            euClient.send(
                                            "GET",
                                            "/api/v1/accounts/region",
                                            null,
                                            SimulatorTestClient.basic(SITE, "key"))
                                    .statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void anInstanceOnlyAcceptsItsOwnSiteAndKey() throws Exception {
        try (CustomerioSimulator other =
                CustomerioSimulator.start(
                        SimulatorConfig.builder().siteId("site-2").apiKey("key-2").build())) {
            SimulatorTestClient right = new SimulatorTestClient(other, "site-2", "key-2");
            SimulatorTestClient wrong = new SimulatorTestClient(other, SITE, KEY);

            assertThat(right.region().statusCode()).isEqualTo(200);
            assertThat(wrong.region().statusCode()).isEqualTo(401);
        }
    }

    @Test
    void anUnknownTrackPathStillNeedsCredentials() throws Exception {
        assertThat(customerio.client().send("GET", "/api/v1/nothing-here", null, null).statusCode())
                .isEqualTo(401);
        assertThat(customerio.client().track("GET", "/api/v1/nothing-here", null).statusCode())
                .isEqualTo(404);
    }
}
