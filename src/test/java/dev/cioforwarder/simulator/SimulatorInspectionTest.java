package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static dev.cioforwarder.simulator.SimulatorTestClient.ulid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The unauthenticated inspection endpoints under {@code /__simulator/} and the page at {@code /}.
 */
class SimulatorInspectionTest {

    private static final String SITE = "site-inspection";
    private static final String KEY = "secret-key-4f9a1c";

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    /** Two people, three events (one a duplicate), a refusal and a stale update. */
    private static void traffic() throws Exception {
        assertThat(
                        customerio
                                .client()
                                .identify("u1", j("{'plan':'pro','_timestamp':2000}"))
                                .statusCode())
                .isEqualTo(200);
        assertThat(
                        customerio
                                .client()
                                .identify("u1", j("{'plan':'old','_timestamp':1000}"))
                                .statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().identify("u2@x.io", j("{'unsubscribed':true}")).statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(
                            customerio
                                    .client()
                                    .v1Event(
                                            "u1",
                                            j(
                                                    "{'name':'e"
                                                            + i
                                                            + "','id':'"
                                                            + ulid(i)
                                                            + "','timestamp':1700000000}"))
                                    .statusCode())
                    .isEqualTo(200);
        }
        assertThat(
                        customerio
                                .client()
                                .v1Event("u1", j("{'name':'dup','id':'" + ulid(0) + "'}"))
                                .statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().v1Event("u1", j("{'name':''}")).statusCode()).isEqualTo(400);
    }

    @Test
    void theSummaryCountsWhatHappened() throws Exception {
        traffic();

        HttpResponse<String> response = customerio.client().inspect("/__simulator/summary");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode summary = json(response);
        assertThat(summary.path("requests").asLong()).isEqualTo(8);
        assertThat(summary.path("operations").asLong()).isEqualTo(8);
        assertThat(summary.path("people").asLong()).isEqualTo(2);
        assertThat(summary.path("events").asLong()).isEqualTo(3);
        assertThat(summary.path("duplicate_events_ignored").asLong()).isEqualTo(1);
        assertThat(summary.path("rejected_operations").asLong()).isEqualTo(1);
        assertThat(summary.path("attribute_update_failures").asLong()).isZero();
        assertThat(summary.path("stale_updates_ignored").asLong()).isEqualTo(1);
        assertThat(summary.path("responses_by_status").path("200").asLong()).isEqualTo(7);
        assertThat(summary.path("responses_by_status").path("400").asLong()).isEqualTo(1);
        assertThat(summary.path("latency_probe").has("count")).isTrue();
        assertThat(summary.path("latency_probe").has("p50_ms")).isTrue();
        assertThat(summary.path("latency_probe").has("p99_ms")).isTrue();
        assertThat(summary.path("latency_probe").has("max_ms")).isTrue();
        // The Java view is the same.
        assertThat(customerio.simulator().summary().requests()).isEqualTo(8);
        assertThat(customerio.simulator().summary().responsesByStatus()).containsEntry(200, 7L);
    }

    @Test
    void inspectionCallsAreNotTrackRequests() throws Exception {
        for (int i = 0; i < 3; i++) {
            customerio.client().inspect("/__simulator/summary");
            customerio.client().inspect("/__simulator/people");
            customerio.client().inspect("/");
        }
        assertThat(
                        json(customerio.client().inspect("/__simulator/summary"))
                                .path("requests")
                                .asLong())
                .isZero();
        assertThat(json(customerio.client().inspect("/__simulator/requests")).size()).isZero();
    }

    @Test
    void peopleListsEveryPersonWithTheirFields() throws Exception {
        traffic();

        JsonNode people = json(customerio.client().inspect("/__simulator/people"));

        assertThat(people.isArray()).isTrue();
        assertThat(people.size()).isEqualTo(2);
        JsonNode u1 = people.get(0);
        assertThat(u1.path("id").asText()).isEqualTo("u1");
        assertThat(u1.path("cio_id").asText()).isNotEmpty();
        assertThat(u1.path("attributes").path("plan").asText()).isEqualTo("pro");
        assertThat(u1.has("email")).isTrue();
        assertThat(u1.has("created_at")).isTrue();
        assertThat(u1.path("devices").isArray()).isTrue();
        assertThat(u1.has("suppressed")).isTrue();
        JsonNode u2 = people.get(1);
        assertThat(u2.path("email").asText()).isEqualTo("u2@x.io");
        assertThat(u2.path("unsubscribed").asBoolean()).isTrue();
    }

    @Test
    void eventsReturnsTheLatestUpToTheLimit() throws Exception {
        traffic();

        JsonNode all = json(customerio.client().inspect("/__simulator/events"));
        JsonNode two = json(customerio.client().inspect("/__simulator/events?limit=2"));
        JsonNode none = json(customerio.client().inspect("/__simulator/events?limit=0"));
        JsonNode many = json(customerio.client().inspect("/__simulator/events?limit=1000"));

        assertThat(names(all)).containsExactly("e0", "e1", "e2");
        assertThat(names(two)).containsExactly("e1", "e2");
        assertThat(none.size()).isZero();
        assertThat(many.size()).isEqualTo(3);
        JsonNode event = all.get(0);
        assertThat(event.path("id").asText()).isEqualTo(ulid(0));
        assertThat(event.path("person_id").asText()).isEqualTo("u1");
        assertThat(event.path("type").asText()).isEqualTo("event");
        assertThat(event.path("timestamp").asLong()).isEqualTo(1700000000L);
        assertThat(event.path("api").asText()).isEqualTo("v1");
        assertThat(event.path("received_at_ms").asLong()).isPositive();
    }

    private static List<String> names(JsonNode events) {
        List<String> names = new ArrayList<>();
        events.forEach(e -> names.add(e.path("name").asText()));
        return names;
    }

    @Test
    void requestsReturnsTheLatestTrackRequestsWithoutHeadersOrTheKey() throws Exception {
        traffic();
        customerio.client().send("GET", "/api/v1/accounts/region", null, "Basic " + KEY);
        customerio
                .client()
                .send(
                        "GET",
                        "/api/v1/accounts/region",
                        null,
                        SimulatorTestClient.basic(SITE, KEY + "-wrong"));

        HttpResponse<String> all = customerio.client().inspect("/__simulator/requests");
        JsonNode log = json(all);
        assertThat(log.size()).isEqualTo(10);
        JsonNode first = log.get(0);
        assertThat(first.path("method").asText()).isEqualTo("PUT");
        assertThat(first.path("path").asText()).isEqualTo("/api/v1/customers/u1");
        assertThat(first.path("status").asInt()).isEqualTo(200);
        assertThat(first.path("operations").asInt()).isEqualTo(1);
        assertThat(first.path("received_at_ms").asLong()).isPositive();
        Set<String> fields = new LinkedHashSet<>();
        first.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactlyInAnyOrder(
                        "method", "path", "status", "operations", "received_at_ms");

        JsonNode lastTwo = json(customerio.client().inspect("/__simulator/requests?limit=2"));
        assertThat(lastTwo.size()).isEqualTo(2);
        assertThat(lastTwo.get(0).path("status").asInt()).isEqualTo(401);
        assertThat(lastTwo.get(1).path("status").asInt()).isEqualTo(401);

        assertThat(all.body())
                .doesNotContain(KEY)
                .doesNotContain(customerio.client().authorization.substring("Basic ".length()))
                .doesNotContainIgnoringCase("authorization")
                .doesNotContainIgnoringCase("basic");
        assertThat(customerio.simulator().requests()).hasSize(10);
    }

    @Test
    void faultsReturnsTheFaultsInForce() throws Exception {
        assertThat(json(customerio.client().inspect("/__simulator/faults")).size()).isZero();

        customerio.simulator().setFaults(Faults.none().status503Ratio(0.5).rejectNames("bad"));
        JsonNode faults = json(customerio.client().inspect("/__simulator/faults"));

        assertThat(faults.path("status_503_ratio").asDouble()).isEqualTo(0.5);
        assertThat(faults.path("reject_names").get(0).asText()).isEqualTo("bad");
    }

    @Test
    void resetForgetsEverything() throws Exception {
        traffic();
        customerio.simulator().setFaults(Faults.none().rejectNames("x"));

        HttpResponse<String> response =
                customerio.client().inspect("POST", "/__simulator/reset", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(customerio.simulator().requests()).isEmpty();
        Summary summary = customerio.simulator().summary();
        assertThat(summary.requests()).isZero();
        assertThat(summary.operations()).isZero();
        assertThat(summary.events()).isZero();
        assertThat(summary.duplicateEventsIgnored()).isZero();
        assertThat(summary.rejectedOperations()).isZero();
        assertThat(summary.staleUpdatesIgnored()).isZero();
        assertThat(summary.responsesByStatus()).isEmpty();
        assertThat(customerio.simulator().faults().rejectNames).isEmpty();
        // Event ids are forgotten too: the same id is new again.
        assertThat(
                        customerio
                                .client()
                                .v1Event("u1", j("{'name':'e0','id':'" + ulid(0) + "'}"))
                                .statusCode())
                .isEqualTo(200);
        assertThat(customerio.simulator().events()).hasSize(1);
        assertThat(customerio.simulator().summary().duplicateEventsIgnored()).isZero();
    }

    @Test
    void aCollectionOnDemandKeepsWhatTheStoreHolds() throws Exception {
        traffic();
        Summary before = customerio.simulator().summary();

        HttpResponse<String> response =
                customerio.client().inspect("POST", "/__simulator/gc", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("heap_used_mb").isNumber()).isTrue();
        assertThat(customerio.simulator().summary().events()).isEqualTo(before.events());
        assertThat(customerio.simulator().people()).isNotEmpty();
        assertThat(customerio.client().inspect("GET", "/__simulator/gc", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void unknownInspectionEndpointsAre404() throws Exception {
        assertThat(customerio.client().inspect("/__simulator/nothing").statusCode()).isEqualTo(404);
        assertThat(customerio.client().inspect("DELETE", "/__simulator/people", null).statusCode())
                .isEqualTo(404);
        assertThat(customerio.client().inspect("GET", "/__simulator/reset", null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void thePageIsSelfContainedAndReadsTheJsonEndpoints() throws Exception {
        HttpResponse<String> response = customerio.client().inspect("/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        String html = response.body();
        assertThat(html).startsWith("<!doctype html>");
        // Nothing external: no URL with a scheme, no protocol-relative resources.
        assertThat(html)
                .doesNotContain("http://")
                .doesNotContain("https://")
                .doesNotContain("src=")
                .doesNotContain("<link")
                .doesNotContain("@import")
                .doesNotContain("url(");
        assertThat(html)
                .contains("fetch('/__simulator/summary')")
                .contains("fetch('/__simulator/people')")
                .contains("fetch('/__simulator/events?limit=");
        // A query string still serves the page.
        assertThat(customerio.client().inspect("/?refresh=1").body()).isEqualTo(html);
    }

    @Test
    void everyFieldThePageReadsExists() throws Exception {
        traffic();
        String html = customerio.client().inspect("/").body();
        JsonNode summary = json(customerio.client().inspect("/__simulator/summary"));
        JsonNode person = json(customerio.client().inspect("/__simulator/people")).get(0);
        JsonNode event = json(customerio.client().inspect("/__simulator/events")).get(0);

        Matcher keys = Pattern.compile("for \\(const k of \\[([^]]*)]").matcher(html);
        assertThat(keys.find()).isTrue();
        for (String key : keys.group(1).replace("'", "").split(",\\s*")) {
            assertThat(summary.has(key)).as("summary.%s", key).isTrue();
        }
        assertThat(fields(html, "person"))
                .isNotEmpty()
                .allSatisfy(f -> assertThat(person.has(f)).as("person.%s", f).isTrue());
        assertThat(fields(html, "ev"))
                .isNotEmpty()
                .allSatisfy(f -> assertThat(event.has(f)).as("ev.%s", f).isTrue());
    }

    private static Set<String> fields(String html, String variable) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\b" + variable + "\\.([a-z_]+)").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aNegativeLimitIsNotAServerError() throws Exception {
        traffic();

        // A negative limit means no limit: everything, as without one.
        HttpResponse<String> events = customerio.client().inspect("/__simulator/events?limit=-1");
        HttpResponse<String> requests =
                customerio.client().inspect("/__simulator/requests?limit=-1");
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(requests.statusCode()).isEqualTo(200);
        assertThat(json(events).size()).isEqualTo(3); // e0..e2; the duplicate and the refused not
        assertThat(json(requests).size())
                .isEqualTo(json(customerio.client().inspect("/__simulator/requests")).size())
                .isPositive();
    }
}
