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

    private OperationDelivery delivery(String apiKey, Duration maxRetryDuration) {
        return delivery(
                Authorization.fixed(CustomerioClient.basic("s", apiKey)),
                maxRetryDuration,
                Duration.ofSeconds(30));
    }

    private OperationDelivery delivery(
            Authorization auth, Duration maxRetryDuration, Duration inSlot) {
        return delivery(auth, maxRetryDuration, inSlot, new DeliveryHealth(300, 200, 300));
    }

    private OperationDelivery delivery(
            Authorization auth, Duration maxRetryDuration, Duration inSlot, DeliveryHealth health) {
        CustomerioClient client =
                new CustomerioClient(
                        customerio.baseUrl(), auth, Duration.ofSeconds(2), 4, "test-http");
        clients.add(client);
        RetryPolicy policy =
                new RetryPolicy(
                        Duration.ofMillis(10),
                        Duration.ofMillis(200),
                        Duration.ofMillis(300),
                        maxRetryDuration,
                        inSlot,
                        Duration.ofMillis(500));
        return new OperationDelivery(
                client,
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
                },
                health);
    }

    /** Operations for events with the given names, one user, in order, through the real rules. */
    private static List<CustomerioOperation> request(ApiMode mode, String... names) {
        return request(mode, 9, "c", names);
    }

    /** The same for user {@code mpid} with Customer ID {@code customerId}. */
    private static List<CustomerioOperation> request(
            ApiMode mode, long mpid, String customerId, String... names) {
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
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":1764320400000,\"user_identities\":{\"customer_id\":\""
                        + customerId
                        + "\"},\"events\":["
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
        return ops;
    }

    private static DeliveryResult await(OperationDelivery.Handle handle) throws Exception {
        return handle.result().get(30, TimeUnit.SECONDS);
    }

    private static List<DeadLetter> deadLetters(DeliveryResult result) {
        List<DeadLetter> dead = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            if (result.outcome(i) == DeliveryResult.Outcome.DEAD) {
                dead.add(result.deadLetter(i));
            }
        }
        return dead;
    }

    private static List<String> parkReasons(DeliveryResult result) {
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            if (result.outcome(i) == DeliveryResult.Outcome.PARKED) {
                reasons.add(result.parkReason(i));
            }
        }
        return reasons;
    }

    @Test
    void aBatchIsDeliveredInOneRequest() throws Exception {
        DeliveryResult result =
                await(delivery("k", null).deliver(request(ApiMode.V2_BATCH, "a", "b", "c")));
        assertThat(result.count(DeliveryResult.Outcome.DELIVERED)).isEqualTo(3);
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactly("a", "b", "c");
        assertThat(customerio.summary().requests()).isEqualTo(1);
        assertThat(delivered.get()).isEqualTo(3);
    }

    @Test
    void a207DeadLettersOnlyTheListedOperations() throws Exception {
        customerio.setFaults(Faults.none().rejectNames("bad"));
        DeliveryResult result =
                await(delivery("k", null).deliver(request(ApiMode.V2_BATCH, "a", "bad", "c")));
        assertThat(deadLetters(result))
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("rejected_by_customerio");
                            assertThat(d.responseStatus).isEqualTo(207);
                            assertThat(d.response).contains("\"batch_index\":1");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("\"name\":\"bad\"");
                        });
        assertThat(result.outcome(1)).isEqualTo(DeliveryResult.Outcome.DEAD);
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a", "c");
        assertThat(delivered.get()).isEqualTo(2);
    }

    @Test
    void aWholeBatch400IsSplitUntilTheCulpritStandsAloneAndOrderIsKept() throws Exception {
        customerio.setFaults(Faults.none().rejectBatchNames("bad"));
        DeliveryResult result =
                await(
                        delivery("k", null)
                                .deliver(
                                        request(ApiMode.V2_BATCH, "a", "b", "bad", "d", "e", "f")));
        assertThat(deadLetters(result))
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
    void transientFailuresAreRetriedInTheSlotUntilTheyPass() throws Exception {
        customerio.setFaults(Faults.none().status503Ratio(1.0));
        var handle = delivery("k", null).deliver(request(ApiMode.V2_BATCH, "a"));
        Await.until(
                Duration.ofSeconds(10),
                () -> customerio.summary().responsesByStatus().containsKey(503),
                () -> customerio.requests().toString());
        assertThat(handle.result()).isNotDone();
        customerio.setFaults(Faults.none().dropConnectionRatio(0.5).status500Ratio(0.3));
        DeliveryResult result = await(handle);
        assertThat(result.count(DeliveryResult.Outcome.DELIVERED)).isEqualTo(1);
        assertThat(retries.get()).isPositive();
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a");
    }

    @Test
    void anOutageLongerThanTheInSlotBudgetParksTheOperationsInsteadOfHoldingTheSlot()
            throws Exception {
        customerio.setFaults(Faults.none().status503Ratio(1.0));
        OperationDelivery d =
                delivery(
                        Authorization.fixed(CustomerioClient.basic("s", "k")),
                        null,
                        Duration.ofMillis(800));
        long start = System.nanoTime();
        DeliveryResult result = await(d.deliver(request(ApiMode.V2_BATCH, "a", "b")));
        assertThat(parkReasons(result))
                .containsExactly(DeliveryHealth.UNAVAILABLE, DeliveryHealth.UNAVAILABLE);
        assertThat(deadLetters(result)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(customerio.events()).isEmpty();
        // Customer.io has been failing for longer than the health check allows: the next
        // request does not even try.
        assertThat(d.health().isOpen()).isTrue();
        long requestsBefore = customerio.summary().requests();
        DeliveryResult next = await(d.deliver(request(ApiMode.V2_BATCH, "c")));
        assertThat(parkReasons(next)).containsExactly(DeliveryHealth.UNAVAILABLE);
        assertThat(customerio.summary().requests()).isEqualTo(requestsBefore);
    }

    @Test
    void aMaximumRetryDurationDeadLettersAfterIt() throws Exception {
        customerio.setFaults(Faults.none().status503Ratio(1.0));
        // A health check that stays closed: the point here is the retry duration, not parking.
        DeliveryResult result =
                await(
                        delivery(
                                        Authorization.fixed(CustomerioClient.basic("s", "k")),
                                        Duration.ofMillis(700),
                                        Duration.ofSeconds(30),
                                        new DeliveryHealth(60_000, 60_000, 60_000))
                                .deliver(request(ApiMode.V2_BATCH, "a", "b")));
        assertThat(deadLetters(result))
                .hasSize(2)
                .allSatisfy(
                        d -> {
                            assertThat(d.reason).isEqualTo("retry_duration_exceeded");
                            assertThat(d.responseStatus).isEqualTo(503);
                        });
    }

    @Test
    void wrongCredentialsParkTheOperationsAndAreReportedButNeverDeadLettered() throws Exception {
        DeliveryResult result =
                await(delivery("wrong-key", null).deliver(request(ApiMode.V2_BATCH, "a")));
        assertThat(parkReasons(result)).containsExactly(DeliveryHealth.UNAUTHORIZED);
        assertThat(authFailures.get()).isPositive();
        assertThat(customerio.events()).isEmpty();
    }

    @Test
    void aKeyRotatedInItsFileIsReadAgainAfterA401AndUsedAtOnce() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> key =
                new java.util.concurrent.atomic.AtomicReference<>("old-key");
        Authorization auth =
                new Authorization(
                        () -> {
                            reads.incrementAndGet();
                            return key.get();
                        },
                        k -> CustomerioClient.basic("s", k),
                        "a test key",
                        0);
        OperationDelivery d = delivery(auth, null, Duration.ofSeconds(30));
        // The key file now holds the key Customer.io accepts; the client still sends the old.
        key.set("k");
        DeliveryResult result = await(d.deliver(request(ApiMode.V2_BATCH, "a")));
        assertThat(result.count(DeliveryResult.Outcome.DELIVERED)).isEqualTo(1);
        assertThat(customerio.summary().responsesByStatus()).containsKey(401);
        assertThat(reads.get()).isEqualTo(2);
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a");
    }

    @Test
    void aStatusThatIsNeitherTransientNorARefusalIsRetriedForItsBudgetThenDeadLettered()
            throws Exception {
        customerio.setFaults(
                faultsFromJson(
                        "{\"path_statuses\":[{\"path_prefix\":\"/api/v2/batch\",\"status\":404}]}"));
        long start = System.nanoTime();
        DeliveryResult result =
                await(delivery("k", null).deliver(request(ApiMode.V2_BATCH, "a", "b")));
        assertThat(deadLetters(result))
                .hasSize(2)
                .allSatisfy(
                        d -> {
                            assertThat(d.reason).isEqualTo("unexpected_status");
                            assertThat(d.responseStatus).isEqualTo(404);
                            assertThat(d.detail).contains("HTTP 404");
                        });
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("the budget (500 ms here) is spent before the dead letter")
                .isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(retries.get()).isPositive();
    }

    @Test
    void aPersonAnsweredUnexpectedlyAmongOthersWaitsInTheirStateAndTheOthersGoAtOnce()
            throws Exception {
        customerio.setFaults(faultsFromJson("{\"refusals\":[{\"person\":\"p\",\"status\":409}]}"));
        List<CustomerioOperation> ops = new ArrayList<>(request(ApiMode.V2_BATCH, "a", "b"));
        ops.addAll(request(ApiMode.V2_BATCH, 10, "p", "x"));
        DeliveryResult result = await(delivery("k", null).deliver(ops));
        // Retried in the request, the person would hold the others for the whole budget (500 ms
        // here) and then be dead-lettered; they wait in their state instead.
        assertThat(result.count(DeliveryResult.Outcome.DELIVERED)).isEqualTo(2);
        assertThat(parkReasons(result)).containsExactly(OperationDelivery.UNEXPECTED_STATUS);
        assertThat(deadLetters(result)).isEmpty();
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("a", "b");
        assertThat(customerio.faultHits().refusals().get(0)).isPositive();
    }

    @Test
    void cancellingParksWhatIsNotDecidedAndALateAnswerChangesNothing() throws Exception {
        customerio.setFaults(Faults.none().latencyMs(1_000));
        OperationDelivery.Handle handle =
                delivery("k", null).deliver(request(ApiMode.V2_BATCH, "a"));
        Thread.sleep(200);
        handle.cancel("watchdog");
        DeliveryResult result = await(handle);
        assertThat(parkReasons(result)).containsExactly("watchdog");
        Thread.sleep(1_500);
        assertThat(result.outcome(0)).isEqualTo(DeliveryResult.Outcome.PARKED);
        assertThat(delivered.get()).as("the late 200 is not counted as delivered").isZero();
    }

    @Test
    void a429SlowsDownAndHonoursRetryAfter() throws Exception {
        customerio.setFaults(Faults.none().rateLimitRps(1).retryAfterSeconds(1));
        OperationDelivery d = delivery("k", null);
        long start = System.nanoTime();
        List<OperationDelivery.Handle> results = new ArrayList<>();
        for (String name : new String[] {"a", "b", "c"}) {
            results.add(d.deliver(request(ApiMode.V1, name)));
        }
        for (var r : results) {
            assertThat(await(r).count(DeliveryResult.Outcome.DELIVERED)).isEqualTo(1);
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
        OperationDelivery d = delivery("k", null);
        List<CustomerioOperation> good = request(ApiMode.V1, "a");
        List<CustomerioOperation> bad = request(ApiMode.V1, "bad");
        assertThat(await(d.deliver(good)).count(DeliveryResult.Outcome.DELIVERED)).isEqualTo(1);
        assertThat(deadLetters(await(d.deliver(bad))))
                .singleElement()
                .satisfies(x -> assertThat(x.responseStatus).isEqualTo(400));
        assertThat(customerio.events()).extracting(StoredEvent::api).containsExactly("v1");
    }

    private static Faults faultsFromJson(String json) throws Exception {
        return dev.cioforwarder.json.Json.mapper().readValue(json, Faults.class);
    }
}
