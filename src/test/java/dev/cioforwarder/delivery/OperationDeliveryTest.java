package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.simulator.SimulatorConfig;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every outcome of a delivery against the simulator over real HTTP. */
class OperationDeliveryTest {

    private static CustomerioSimulator customerio;
    private ScheduledExecutorService timer;
    private final List<CustomerioClient> clients = new ArrayList<>();
    private final AtomicInteger authFailures = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger delivered = new AtomicInteger();

    @BeforeAll
    static void startSimulator() throws Exception {
        customerio =
                CustomerioSimulator.start(
                        SimulatorConfig.builder().siteId("s").apiKey("k").build());
    }

    @AfterAll
    static void stopSimulator() {
        customerio.close();
    }

    @BeforeEach
    void setUp() {
        customerio.reset();
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void tearDown() throws Exception {
        timer.shutdownNow();
        for (CustomerioClient c : clients) {
            c.close();
        }
    }

    private OperationDelivery delivery(ApiMode mode, String apiKey, Duration maxRetryDuration) {
        CustomerioClient client =
                new CustomerioClient(
                        customerio.baseUrl(), "s", apiKey, Duration.ofSeconds(2), 4, "test-http");
        clients.add(client);
        RetryPolicy policy =
                new RetryPolicy(
                        Duration.ofMillis(10),
                        Duration.ofMillis(200),
                        Duration.ofMillis(300),
                        maxRetryDuration);
        return new OperationDelivery(
                client,
                mode,
                new RateLimiter(1000, Clock.system()),
                policy,
                timer,
                Clock.system(),
                new DeliveryListener() {
                    @Override
                    public void requestSent(int operations, int bytes) {}

                    @Override
                    public void responseReceived(HttpResult result, long latencyMs) {}

                    @Override
                    public void retryScheduled(HttpResult result, int attempt, long delayMs) {
                        retries.incrementAndGet();
                    }

                    @Override
                    public void throttled(HttpResult result) {}

                    @Override
                    public void authenticationFailed(HttpResult result) {
                        authFailures.incrementAndGet();
                    }

                    @Override
                    public void delivered(List<CustomerioOperation> operations) {
                        delivered.addAndGet(operations.size());
                    }
                });
    }

    /** Operations for events with the given names, one user, in order, through the real rules. */
    private static DeliveryRequest request(ApiMode mode, String... names) {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            events.append(i == 0 ? "" : ",")
                    .append("{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"")
                    .append(names[i])
                    .append("\",\"source_message_id\":\"m-")
                    .append(names[i])
                    .append("\"}}");
        }
        String json =
                "{\"mpid\":9,\"timestamp_unixtime_ms\":1764320400000,\"user_identities\":{\"customer_id\":\"c\"},"
                    + "\"events\":["
                        + events
                        + "]}";
        var batch = new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), 0).batch();
        var t =
                new UserStateMachine(MappingSettings.defaults().withApiMode(mode))
                        .apply(
                                null,
                                new DeviceFirstSeen() {
                                    @Override
                                    public Long get(String deviceType) {
                                        return null;
                                    }

                                    @Override
                                    public void put(String deviceType, long firstSeenMs) {}
                                },
                                batch);
        // Drop the identify: these tests are about events.
        List<CustomerioOperation> ops =
                new ArrayList<>(t.operations().subList(1, t.operations().size()));
        return new DeliveryRequest(ops);
    }

    private static List<DeadLetter> await(
            java.util.concurrent.CompletableFuture<List<DeadLetter>> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aBatchIsDeliveredInOneRequest() throws Exception {
        List<DeadLetter> dead =
                await(
                        delivery(ApiMode.V2_BATCH, "k", null)
                                .deliver(request(ApiMode.V2_BATCH, "a", "b", "c")));
        assertThat(dead).isEmpty();
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactly("a", "b", "c");
        assertThat(customerio.summary().requests()).isEqualTo(1);
        assertThat(delivered.get()).isEqualTo(3);
    }

    @Test
    void a207DeadLettersOnlyTheListedOperations() throws Exception {
        customerio.setFaults(Faults.none().rejectNames("bad"));
        List<DeadLetter> dead =
                await(
                        delivery(ApiMode.V2_BATCH, "k", null)
                                .deliver(request(ApiMode.V2_BATCH, "a", "bad", "c")));
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("rejected_by_customerio");
                            assertThat(d.responseStatus).isEqualTo(207);
                            assertThat(d.response).contains("\"batch_index\":1");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("\"name\":\"bad\"");
                        });
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a", "c");
        assertThat(delivered.get()).isEqualTo(2);
    }

    @Test
    void aWholeBatch400IsSplitUntilTheCulpritStandsAloneAndOrderIsKept() throws Exception {
        customerio.setFaults(Faults.none().rejectBatchNames("bad"));
        List<DeadLetter> dead =
                await(
                        delivery(ApiMode.V2_BATCH, "k", null)
                                .deliver(
                                        request(ApiMode.V2_BATCH, "a", "b", "bad", "d", "e", "f")));
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.responseStatus).isEqualTo(400);
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("\"name\":\"bad\"");
                        });
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactly("a", "b", "d", "e", "f");
    }

    @Test
    void retryableFailuresAreRetriedUntilTheyPass() throws Exception {
        customerio.setFaults(Faults.none().status503Ratio(1.0));
        var result = delivery(ApiMode.V2_BATCH, "k", null).deliver(request(ApiMode.V2_BATCH, "a"));
        Thread.sleep(500);
        assertThat(result).isNotDone();
        customerio.setFaults(Faults.none().dropConnectionRatio(0.5).status500Ratio(0.3));
        assertThat(await(result)).isEmpty();
        assertThat(retries.get()).isPositive();
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a");
    }

    @Test
    void aMaximumRetryDurationDeadLettersAfterIt() throws Exception {
        customerio.setFaults(Faults.none().status503Ratio(1.0));
        List<DeadLetter> dead =
                await(
                        delivery(ApiMode.V2_BATCH, "k", Duration.ofMillis(700))
                                .deliver(request(ApiMode.V2_BATCH, "a", "b")));
        assertThat(dead)
                .hasSize(2)
                .allSatisfy(
                        d -> {
                            assertThat(d.reason).isEqualTo("retry_duration_exceeded");
                            assertThat(d.responseStatus).isEqualTo(503);
                        });
    }

    @Test
    void wrongCredentialsAreRetriedAndReportedButNeverDeadLettered() throws Exception {
        var result =
                delivery(ApiMode.V2_BATCH, "wrong-key", Duration.ofMillis(100))
                        .deliver(request(ApiMode.V2_BATCH, "a"));
        Thread.sleep(1_500);
        assertThat(result).isNotDone();
        assertThat(authFailures.get()).isGreaterThanOrEqualTo(2);
        assertThat(customerio.events()).isEmpty();
    }

    @Test
    void deliveryResumesOnceCustomerioAcceptsTheCredentialsAgain() throws Exception {
        // The test, not a clock, decides when the key works again: under load a time window
        // could close before the first request arrives, and then no 401 would be seen.
        customerio.setFaults(Faults.none().unauthorized(true));
        java.util.concurrent.CompletableFuture<List<DeadLetter>> result =
                delivery(ApiMode.V2_BATCH, "k", null).deliver(request(ApiMode.V2_BATCH, "a"));
        Await.until(
                Duration.ofSeconds(30),
                () -> customerio.summary().responsesByStatus().containsKey(401),
                () -> customerio.requests().toString());
        assertThat(result).as("delivery waits while the key is refused").isNotDone();
        customerio.setFaults(Faults.none());
        List<DeadLetter> dead = await(result);
        assertThat(dead).isEmpty();
        assertThat(customerio.summary().responsesByStatus())
                .as("%s", customerio.requests())
                .containsKey(401);
        assertThat(authFailures.get()).isPositive();
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a");
    }

    @Test
    void a429SlowsDownAndHonoursRetryAfter() throws Exception {
        customerio.setFaults(Faults.none().rateLimitRps(1).retryAfterSeconds(1));
        OperationDelivery d = delivery(ApiMode.V1, "k", null);
        long start = System.nanoTime();
        List<java.util.concurrent.CompletableFuture<List<DeadLetter>>> results = new ArrayList<>();
        for (String name : new String[] {"a", "b", "c"}) {
            results.add(d.deliver(request(ApiMode.V1, name)));
        }
        for (var r : results) {
            assertThat(await(r)).isEmpty();
        }
        assertThat(customerio.summary().responsesByStatus()).containsKey(429);
        // Three requests at one per second, with Retry-After: 1, need well over a second.
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThan(Duration.ofMillis(1500));
        assertThat(customerio.summary().events()).isEqualTo(3);
    }

    @Test
    void v1SendsEachOperationAsItsOwnRequestAndDeadLettersA400() throws Exception {
        customerio.setFaults(Faults.none().rejectNames("bad"));
        OperationDelivery d = delivery(ApiMode.V1, "k", null);
        DeliveryRequest good = request(ApiMode.V1, "a");
        DeliveryRequest bad = request(ApiMode.V1, "bad");
        assertThat(await(d.deliver(good))).isEmpty();
        assertThat(await(d.deliver(bad)))
                .singleElement()
                .satisfies(x -> assertThat(x.responseStatus).isEqualTo(400));
        assertThat(customerio.events()).extracting(StoredEvent::api).containsExactly("v1");
    }
}
