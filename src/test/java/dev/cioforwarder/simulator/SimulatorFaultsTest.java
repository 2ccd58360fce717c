package dev.cioforwarder.simulator;

import static dev.cioforwarder.simulator.SimulatorTestClient.j;
import static dev.cioforwarder.simulator.SimulatorTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Fault injection, set from Java and over HTTP, and that it never touches inspection. */
class SimulatorFaultsTest {

    private static final String SITE = "site-faults";
    private static final String KEY = "key-faults";
    private static final String IDENTIFY = j("{'plan':'pro'}");

    @RegisterExtension static final RunningSimulator customerio = new RunningSimulator(SITE, KEY);

    private static HttpResponse<String> identify() throws Exception {
        return customerio.client().identify("u1", IDENTIFY);
    }

    private static String event(String name) {
        return j(
                "{'type':'person','identifiers':{'id':'u1'},'action':'event','name':'"
                        + name
                        + "'}");
    }

    @Test
    void status503AndStatus500Ratios() throws Exception {
        customerio.simulator().setFaults(Faults.none().status503Ratio(1));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = identify();
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body()).isEmpty();
        }
        assertThat(customerio.client().region().statusCode()).isEqualTo(503);

        assertThat(customerio.client().setFaults(j("{'status_500_ratio':1}")).statusCode())
                .isEqualTo(200);
        assertThat(identify().statusCode()).isEqualTo(500);
        assertThat(customerio.client().batch("{\"batch\":[" + event("x") + "]}").statusCode())
                .isEqualTo(500);

        // Nothing answered with a fault was applied.
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(customerio.simulator().summary().responsesByStatus())
                .containsEntry(503, 4L)
                .containsEntry(500, 2L);

        assertThat(customerio.client().setFaults("{}").statusCode()).isEqualTo(200);
        assertThat(identify().statusCode()).isEqualTo(200);
    }

    @Test
    void aRatioBetweenZeroAndOneFaultsExactlyThatShareOfRequestsInAFixedPattern() throws Exception {
        customerio.simulator().setFaults(Faults.none().status503Ratio(0.25));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            statuses.add(identify().statusCode());
        }
        // Deterministic, so a test that asserts a fault happened never depends on chance: every
        // fourth request, from the fourth on.
        for (int i = 0; i < 60; i++) {
            assertThat(statuses.get(i)).as("request %d", i + 1).isEqualTo(i % 4 == 3 ? 503 : 200);
        }
        // Setting faults again starts the pattern over.
        customerio.simulator().setFaults(Faults.none().status503Ratio(0.5));
        assertThat(identify().statusCode()).isEqualTo(200);
        assertThat(identify().statusCode()).isEqualTo(503);
    }

    @Test
    void rateLimitAnswers429WithRetryAfterWhenConfigured() throws Exception {
        customerio.simulator().setFaults(Faults.none().rateLimitRps(2).retryAfterSeconds(7));
        List<HttpResponse<String>> responses = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            responses.add(customerio.client().v1Event("u1", j("{'name':'e" + i + "'}")));
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        long accepted = responses.stream().filter(r -> r.statusCode() == 200).count();
        long limited = responses.stream().filter(r -> r.statusCode() == 429).count();
        assertThat(accepted + limited).isEqualTo(10);
        // A burst of two, then two a second.
        assertThat(accepted)
                .isGreaterThanOrEqualTo(2)
                .isLessThanOrEqualTo(2 + (long) Math.ceil(seconds * 2));
        assertThat(limited).isPositive();
        assertThat(responses.get(0).statusCode()).isEqualTo(200);
        for (HttpResponse<String> r : responses) {
            if (r.statusCode() == 429) {
                assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
                assertThat(r.body()).isEmpty();
            } else {
                assertThat(r.headers().firstValue("Retry-After")).isEmpty();
            }
        }
        // Only the accepted events were stored.
        assertThat(customerio.simulator().events()).hasSize((int) accepted);
        assertThat(customerio.simulator().summary().responsesByStatus())
                .containsEntry(429, limited);
    }

    @Test
    void status429RatioThrottlesWhateverTheRateWithOrWithoutRetryAfter() throws Exception {
        assertThat(
                        customerio
                                .client()
                                .setFaults(j("{'status_429_ratio':1,'retry_after_seconds':4}"))
                                .statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = identify();
            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("4");
        }
        customerio.simulator().setFaults(Faults.none().status429Ratio(1));
        HttpResponse<String> bare = customerio.client().batch("{\"batch\":[" + event("x") + "]}");
        assertThat(bare.statusCode()).isEqualTo(429);
        assertThat(bare.headers().firstValue("Retry-After")).isEmpty();
        // Nothing answered 429 was applied.
        assertThat(customerio.simulator().people()).isEmpty();
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(customerio.simulator().summary().responsesByStatus()).containsEntry(429, 4L);

        customerio.simulator().setFaults(Faults.none().status429Ratio(0.5));
        int throttled = 0;
        for (int i = 0; i < 60; i++) {
            if (identify().statusCode() == 429) {
                throttled++;
            }
        }
        assertThat(throttled).isEqualTo(30);
    }

    @Test
    void rateLimitWithoutRetryAfterSendsNoHeader() throws Exception {
        assertThat(customerio.client().setFaults(j("{'rate_limit_rps':1}")).statusCode())
                .isEqualTo(200);
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(identify());
        }

        assertThat(responses).anySatisfy(r -> assertThat(r.statusCode()).isEqualTo(429));
        for (HttpResponse<String> r : responses) {
            assertThat(r.headers().firstValue("Retry-After")).isEmpty();
        }
    }

    @Test
    void theRateLimitRefillsOverTime() throws Exception {
        customerio.simulator().setFaults(Faults.none().rateLimitRps(5));
        int limited = 0;
        for (int i = 0; i < 60 && limited == 0; i++) {
            if (identify().statusCode() == 429) {
                limited++;
            }
        }
        assertThat(limited).as("a burst over 5/s is throttled").isEqualTo(1);
        Thread.sleep(400); // refills two tokens
        assertThat(identify().statusCode()).isEqualTo(200);
    }

    @Test
    void latencyDelaysEveryTrackResponse() throws Exception {
        customerio.simulator().setFaults(Faults.none().latencyMs(300));
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = identify();
            long ms = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(ms).isGreaterThanOrEqualTo(300);
        }
        assertThat(
                        customerio
                                .client()
                                .setFaults(j("{'latency_ms':200,'latency_jitter_ms':50}"))
                                .statusCode())
                .isEqualTo(200);
        long start = System.nanoTime();
        assertThat(customerio.client().region().statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(200);
    }

    @Test
    void aDroppedConnectionIsAnIoErrorForTheClient() throws Exception {
        customerio.simulator().setFaults(Faults.none().dropConnectionRatio(1));

        assertThatThrownBy(SimulatorFaultsTest::identify).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> customerio.client().batch("{\"batch\":[" + event("x") + "]}"))
                .isInstanceOf(IOException.class);

        assertThat(customerio.simulator().people()).isEmpty();
        customerio.simulator().clearFaults();
        assertThat(identify().statusCode()).isEqualTo(200);
    }

    @Test
    void aTimeoutHoldsTheRequestThenClosesIt() throws Exception {
        customerio.simulator().setFaults(Faults.none().timeoutRatio(1).timeoutHoldMs(400));

        long start = System.nanoTime();
        assertThatThrownBy(SimulatorFaultsTest::identify).isInstanceOf(IOException.class);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(400);

        // A customerio.client() that gives up sooner sees its own timeout.
        HttpRequest request =
                customerio
                        .client()
                        .request(
                                "PUT",
                                "/api/v1/customers/u1",
                                IDENTIFY,
                                customerio.client().authorization)
                        .timeout(Duration.ofMillis(100))
                        .build();
        assertThatThrownBy(
                        () ->
                                customerio
                                        .client()
                                        .http
                                        .send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(customerio.simulator().people()).isEmpty();
    }

    @Test
    void timeoutFaultsSetOverHttpHoldToo() throws Exception {
        assertThat(
                        customerio
                                .client()
                                .setFaults(j("{'timeout_ratio':1,'timeout_hold_ms':300}"))
                                .statusCode())
                .isEqualTo(200);
        long start = System.nanoTime();
        assertThatThrownBy(SimulatorFaultsTest::identify).isInstanceOf(IOException.class);
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
    }

    @Test
    void unauthorizedAnswers401UntilCleared() throws Exception {
        customerio.simulator().setFaults(Faults.none().unauthorized(true));
        HttpResponse<String> response = identify();
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEmpty();
        assertThat(customerio.client().region().statusCode()).isEqualTo(401);

        assertThat(customerio.client().setFaults("{}").statusCode()).isEqualTo(200);
        assertThat(identify().statusCode()).isEqualTo(200);
    }

    @Test
    void unauthorizedSecondsAnswers401ForThatLong() throws Exception {
        assertThat(customerio.client().setFaults(j("{'unauthorized_seconds':1}")).statusCode())
                .isEqualTo(200);
        long start = System.currentTimeMillis();
        assertThat(identify().statusCode()).isEqualTo(401);

        long remaining = 1_000 - (System.currentTimeMillis() - start);
        Thread.sleep(Math.max(0, remaining) + 150);
        assertThat(identify().statusCode()).isEqualTo(200);
    }

    @Test
    void rejectNamesRefusesThoseEventsAloneAndInsideABatch() throws Exception {
        customerio.simulator().setFaults(Faults.none().rejectNames("poison"));

        HttpResponse<String> batch =
                customerio
                        .client()
                        .batch(
                                "{\"batch\":["
                                        + event("fine")
                                        + ","
                                        + event("poison")
                                        + ","
                                        + event("fine-too")
                                        + "]}");
        assertThat(batch.statusCode()).isEqualTo(207);
        JsonNode errors = json(batch).path("errors");
        assertThat(errors.size()).isEqualTo(1);
        assertThat(errors.get(0).path("batch_index").asInt()).isEqualTo(1);
        assertThat(errors.get(0).path("field").asText()).isEqualTo("name");

        assertThat(customerio.client().entity(event("poison")).statusCode()).isEqualTo(400);
        assertThat(customerio.client().v1Event("u1", j("{'name':'poison'}")).statusCode())
                .isEqualTo(400);
        assertThat(
                        json(customerio.client().entity(event("poison")))
                                .path("meta")
                                .path("errors")
                                .size())
                .isPositive();
        assertThat(customerio.client().entity(event("fine-three")).statusCode()).isEqualTo(200);

        assertThat(customerio.simulator().events())
                .extracting(StoredEvent::name)
                .containsExactly("fine", "fine-too", "fine-three");
    }

    @Test
    void rejectBatchNamesRefusesTheWholeBatch() throws Exception {
        assertThat(
                        customerio
                                .client()
                                .setFaults(j("{'reject_batch_names':['poison']}"))
                                .statusCode())
                .isEqualTo(200);

        HttpResponse<String> batch =
                customerio
                        .client()
                        .batch("{\"batch\":[" + event("fine") + "," + event("poison") + "]}");

        assertThat(batch.statusCode()).isEqualTo(400);
        JsonNode errors = json(batch).path("errors");
        assertThat(errors.size()).isEqualTo(1);
        assertThat(errors.get(0).has("batch_index")).isFalse();
        assertThat(errors.get(0).path("message").asText()).contains("reject_batch_names");
        assertThat(customerio.simulator().events()).isEmpty();
        assertThat(customerio.simulator().people()).isEmpty();

        // A batch without the name passes.
        assertThat(customerio.client().batch("{\"batch\":[" + event("fine") + "]}").statusCode())
                .isEqualTo(200);
        assertThat(customerio.simulator().events()).hasSize(1);
    }

    @Test
    void anEmptyObjectClearsEveryFault() throws Exception {
        HttpResponse<String> set =
                customerio
                        .client()
                        .setFaults(
                                j(
                                        "{'status_503_ratio':1,'status_500_ratio':1,'rate_limit_rps':1,"
                                            + "'retry_after_seconds':3,'latency_ms':5,"
                                            + "'drop_connection_ratio':1,'timeout_ratio':1,"
                                            + "'timeout_hold_ms':100,'unauthorized':true,"
                                            + "'unauthorized_seconds':60,'reject_names':['a'],"
                                            + "'reject_batch_names':['b']}"));
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(identify().statusCode()).isEqualTo(401);

        HttpResponse<String> cleared = customerio.client().setFaults("{}");

        assertThat(cleared.statusCode()).isEqualTo(200);
        assertThat(json(cleared).size()).isZero();
        Faults faults = customerio.simulator().faults();
        assertThat(faults.status503Ratio).isZero();
        assertThat(faults.rateLimitRps).isZero();
        assertThat(faults.unauthorized).isFalse();
        assertThat(faults.rejectNames).isEmpty();
        assertThat(faults.rejectBatchNames).isEmpty();
        for (int i = 0; i < 5; i++) {
            assertThat(identify().statusCode()).isEqualTo(200);
        }
        assertThat(
                        customerio
                                .client()
                                .batch("{\"batch\":[" + event("a") + "," + event("b") + "]}")
                                .statusCode())
                .isEqualTo(200);
    }

    @Test
    void faultsSetOverHttpAreTheFaultsInForce() throws Exception {
        HttpResponse<String> set =
                customerio
                        .client()
                        .setFaults(
                                j(
                                        "{'status_503_ratio':0.25,'rate_limit_rps':50,'reject_names':['x']}"));

        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(json(set).path("status_503_ratio").asDouble()).isEqualTo(0.25);
        assertThat(customerio.simulator().faults().status503Ratio).isEqualTo(0.25);
        assertThat(customerio.simulator().faults().rateLimitRps).isEqualTo(50);
        assertThat(customerio.simulator().faults().rejectNames).containsExactly("x");
        JsonNode read = json(customerio.client().inspect("/__simulator/faults"));
        assertThat(read.path("rate_limit_rps").asDouble()).isEqualTo(50);
        assertThat(read.path("reject_names").get(0).asText()).isEqualTo("x");
    }

    @Test
    void anUnknownFaultOrBadJsonIsRefusedAndChangesNothing() throws Exception {
        customerio.simulator().setFaults(Faults.none().status503Ratio(1));

        HttpResponse<String> unknown = customerio.client().setFaults(j("{'status_502_ratio':1}"));
        HttpResponse<String> broken = customerio.client().setFaults("{status");

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").asText()).contains("status_502_ratio");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(customerio.simulator().faults().status503Ratio).isEqualTo(1.0);
    }

    @Test
    void faultsNeverTouchInspectionOrThePage() throws Exception {
        customerio
                .simulator()
                .setFaults(
                        Faults.none()
                                .unauthorized(true)
                                .status503Ratio(1)
                                .status500Ratio(1)
                                .dropConnectionRatio(1)
                                .timeoutRatio(1)
                                .latencyMs(5_000)
                                .rateLimitRps(0.001));

        long start = System.nanoTime();
        assertThat(customerio.client().inspect("/").statusCode()).isEqualTo(200);
        assertThat(customerio.client().inspect("/__simulator/summary").statusCode()).isEqualTo(200);
        assertThat(customerio.client().inspect("/__simulator/people").statusCode()).isEqualTo(200);
        assertThat(customerio.client().inspect("/__simulator/events").statusCode()).isEqualTo(200);
        assertThat(customerio.client().inspect("/__simulator/requests").statusCode())
                .isEqualTo(200);
        assertThat(customerio.client().inspect("/__simulator/faults").statusCode()).isEqualTo(200);
        // The latency fault (5 s a request) did not apply to any of them.
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);

        assertThat(customerio.client().setFaults("{}").statusCode()).isEqualTo(200);
        assertThat(identify().statusCode()).isEqualTo(200);
        assertThat(customerio.client().inspect("POST", "/__simulator/reset", null).statusCode())
                .isEqualTo(200);
    }
}
