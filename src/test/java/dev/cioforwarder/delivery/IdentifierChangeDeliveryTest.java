package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.simulator.RunningSimulator;
import dev.cioforwarder.simulator.SimulatorConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Identifier changes against the simulator's Track and App APIs, over real HTTP. */
class IdentifierChangeDeliveryTest {

    @RegisterExtension
    static final RunningSimulator customerio =
            new RunningSimulator(
                    SimulatorConfig.builder().siteId("s").apiKey("k").appApiKey("app").build());

    private ScheduledExecutorService timer;
    private CustomerioClient track;
    private AppApiClient appApi;
    private final AtomicInteger applied = new AtomicInteger();
    private final AtomicInteger notNeeded = new AtomicInteger();
    private final AtomicInteger appApiAuthFailures = new AtomicInteger();

    @BeforeEach
    void setUp() {
        timer = Executors.newSingleThreadScheduledExecutor();
        track =
                new CustomerioClient(
                        customerio.simulator().baseUrl(),
                        "s",
                        "k",
                        Duration.ofSeconds(2),
                        2,
                        "test-track");
    }

    @AfterEach
    void tearDown() throws Exception {
        timer.shutdownNow();
        track.close();
        if (appApi != null) {
            appApi.close();
        }
    }

    /** Delivers one identifier change the way the job does, and returns its dead letters. */
    private static final class Changes {
        final OperationDelivery delivery;

        Changes(OperationDelivery delivery) {
            this.delivery = delivery;
        }

        java.util.concurrent.CompletableFuture<List<DeadLetter>> deliver(CustomerioOperation op) {
            return delivery.deliver(List.of(op))
                    .result()
                    .thenApply(
                            r -> {
                                lastResult = r;
                                List<DeadLetter> dead = new java.util.ArrayList<>();
                                for (int i = 0; i < r.size(); i++) {
                                    if (r.outcome(i) == DeliveryResult.Outcome.DEAD) {
                                        dead.add(r.deadLetter(i));
                                    }
                                }
                                return dead;
                            });
        }
    }

    private static DeliveryResult lastResult;

    private Changes delivery(String appApiKey) {
        return new Changes(
                new OperationDelivery(
                                track,
                                dev.cioforwarder.customerio.ApiMode.V2_BATCH,
                                new RateLimiter(1000, Clock.system()),
                                policy(),
                                timer,
                                Clock.system(),
                                DeliveryListener.NONE)
                        .withIdentifierChanges(changes(appApiKey)));
    }

    private static RetryPolicy policy() {
        return new RetryPolicy(
                Duration.ofMillis(10),
                Duration.ofMillis(100),
                Duration.ofMillis(100),
                null,
                Duration.ofSeconds(2),
                Duration.ofMillis(500));
    }

    private IdentifierChangeDelivery changes(String appApiKey) {
        appApi =
                new AppApiClient(
                        customerio.simulator().baseUrl(),
                        appApiKey,
                        Duration.ofSeconds(2),
                        "test-app");
        return new IdentifierChangeDelivery(
                appApi,
                track,
                new RateLimiter(1000, Clock.system()),
                new RateLimiter(1000, Clock.system()),
                policy(),
                timer,
                Clock.system(),
                new DeliveryListener() {
                    @Override
                    public void requestSent(int operations, int bytes) {}

                    @Override
                    public void responseReceived(HttpResult result, long latencyMs) {}

                    @Override
                    public void retryScheduled(HttpResult result, int attempt, long delayMs) {}

                    @Override
                    public void throttled(HttpResult result) {}

                    @Override
                    public void authenticationFailed(HttpResult result) {}

                    @Override
                    public void appApiAuthenticationFailed(HttpResult result) {
                        appApiAuthFailures.incrementAndGet();
                    }

                    @Override
                    public void delivered(List<CustomerioOperation> operations) {}

                    @Override
                    public void identifierChanged() {
                        applied.incrementAndGet();
                    }

                    @Override
                    public void identifierChangeNotNeeded() {
                        notNeeded.incrementAndGet();
                    }
                });
    }

    private static CustomerioOperation change(PersonIdentifier person, PersonIdentifier set) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = OperationKind.IDENTIFIER_CHANGE;
        op.userKey = "7";
        op.mpid = "7";
        op.body = new IdentifierChange(person, set).encode();
        return op;
    }

    private void identify(String id, String body) throws Exception {
        HttpResult r =
                track.send("PUT", "/api/v1/customers/" + id, body.getBytes(StandardCharsets.UTF_8))
                        .get(5, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void aChangedIdIsAppliedThroughCioIdAndThePersonKeepsTheirProfile() throws Exception {
        identify("c-old", "{\"email\":\"a@x.io\",\"plan\":\"pro\"}");
        List<DeadLetter> dead =
                delivery("app")
                        .deliver(change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(applied).hasValue(1);
        assertThat(customerio.simulator().people()).singleElement();
        assertThat(customerio.simulator().personById("c-old")).isEmpty();
        var person = customerio.simulator().personById("c-new").orElseThrow();
        assertThat(person.email()).isEqualTo("a@x.io");
        assertThat(person.attributes()).containsKey("plan");

        // Again (a replay after a restore): the person already has it, nothing happens.
        dead =
                delivery("app")
                        .deliver(change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(notNeeded).hasValue(1);
    }

    @Test
    void anEmailChangesThroughCioIdWhateverTheWorkspaceSetting() throws Exception {
        identify("c-1", "{\"email\":\"a@x.io\"}");
        List<DeadLetter> dead =
                delivery("app")
                        .deliver(
                                change(
                                        PersonIdentifier.id("c-1"),
                                        PersonIdentifier.email("b@x.io")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(customerio.simulator().personById("c-1").orElseThrow().email())
                .isEqualTo("b@x.io");
    }

    @Test
    void anIdentifierOfAnotherPersonIsAConflictNotAMerge() throws Exception {
        identify("c-old", "{\"plan\":\"pro\"}");
        identify("c-new", "{\"plan\":\"free\"}");
        List<DeadLetter> dead =
                delivery("app")
                        .deliver(change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("identifier_conflict");
                            assertThat(d.detail).contains("another person").contains("README");
                            assertThat(new String(d.payload, StandardCharsets.UTF_8))
                                    .contains("c-old")
                                    .contains("c-new");
                        });
        assertThat(customerio.simulator().people()).hasSize(2);
        assertThat(applied).hasValue(0);
    }

    @Test
    void nobodyUnderTheOldIdentifierMeansNothingToChange() throws Exception {
        List<DeadLetter> dead =
                delivery("app")
                        .deliver(change(PersonIdentifier.id("ghost"), PersonIdentifier.id("c-9")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(notNeeded).hasValue(1);
        assertThat(customerio.simulator().people()).isEmpty();
    }

    @Test
    void aRefusedAppApiKeyParksTheChangeInsteadOfHoldingDelivery() throws Exception {
        identify("c-old", "{}");
        List<DeadLetter> dead =
                delivery("wrong-key")
                        .deliver(change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(lastResult.outcome(0)).isEqualTo(DeliveryResult.Outcome.PARKED);
        assertThat(lastResult.parkReason(0))
                .isEqualTo(IdentifierChangeDelivery.APP_API_UNAUTHORIZED);
        assertThat(appApiAuthFailures.get()).isPositive();
        assertThat(customerio.simulator().personById("c-old")).isPresent();
    }

    @Test
    void anIdentifierChangeWithoutAnAppApiKeyIsADeadLetterNotARestartLoop() throws Exception {
        OperationDelivery withoutAppApi =
                new OperationDelivery(
                        track,
                        dev.cioforwarder.customerio.ApiMode.V2_BATCH,
                        new RateLimiter(1000, Clock.system()),
                        policy(),
                        timer,
                        Clock.system(),
                        DeliveryListener.NONE);
        DeliveryResult result =
                withoutAppApi
                        .deliver(
                                List.of(
                                        change(
                                                PersonIdentifier.id("c-old"),
                                                PersonIdentifier.id("c-new"))))
                        .result()
                        .get(10, TimeUnit.SECONDS);
        assertThat(result.outcome(0)).isEqualTo(DeliveryResult.Outcome.DEAD);
        assertThat(result.deadLetter(0).reason).isEqualTo("identifier_change_not_configured");
    }
}
