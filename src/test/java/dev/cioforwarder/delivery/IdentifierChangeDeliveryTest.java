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

    /** An ID-only workspace: email is an attribute, the App API refuses id_type=email. */
    @RegisterExtension
    static final RunningSimulator idOnly =
            new RunningSimulator(
                    SimulatorConfig.builder()
                            .siteId("s")
                            .apiKey("k")
                            .appApiKey("app")
                            .idOnlyWorkspace(true)
                            .build());

    /** An App API a second behind the Track API, answering in the documented shape only. */
    @RegisterExtension
    static final RunningSimulator lagging =
            new RunningSimulator(
                    SimulatorConfig.builder()
                            .siteId("s")
                            .apiKey("k")
                            .appApiKey("app")
                            .appApiLag(Duration.ofSeconds(1))
                            .appApiIdentifiersObject(false)
                            .build());

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

    /** A short lag grace: these tests wait for it whenever nobody is found. */
    private static final long GRACE_MS = 300;

    /** The simulator the test talks to (Track and App API). */
    private RunningSimulator sim = customerio;

    /** Talks to {@code other} from now on. */
    private void use(RunningSimulator other) throws Exception {
        sim = other;
        track.close();
        track =
                new CustomerioClient(
                        other.simulator().baseUrl(),
                        "s",
                        "k",
                        Duration.ofSeconds(2),
                        2,
                        "test-track");
    }

    private Changes delivery(String appApiKey) {
        return delivery(appApiKey, GRACE_MS, true);
    }

    private Changes delivery(String appApiKey, long graceMs, boolean emailIsIdentifier) {
        return new Changes(
                new OperationDelivery(
                                track,
                                new RateLimiter(1000, Clock.system()),
                                policy(),
                                timer,
                                Clock.system(),
                                DeliveryListener.NONE)
                        .withIdentifierChanges(changes(appApiKey, graceMs, emailIsIdentifier)));
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

    private IdentifierChangeDelivery changes(
            String appApiKey, long graceMs, boolean emailIsIdentifier) {
        appApi =
                new AppApiClient(
                        sim.simulator().baseUrl(), appApiKey, Duration.ofSeconds(2), "test-app");
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
                },
                graceMs,
                emailIsIdentifier);
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
        long start = System.currentTimeMillis();
        List<DeadLetter> dead =
                delivery("app")
                        .deliver(change(PersonIdentifier.id("ghost"), PersonIdentifier.id("c-9")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(notNeeded).hasValue(1);
        assertThat(customerio.simulator().people()).isEmpty();
        // Only once the App API had time to catch up.
        assertThat(System.currentTimeMillis() - start).isGreaterThanOrEqualTo(GRACE_MS);
    }

    @Test
    void aPersonTheLaggingAppApiDoesNotFindYetIsLookedUpAgainWithinTheGrace() throws Exception {
        use(lagging);
        identify("c-old", "{\"plan\":\"pro\"}");
        List<DeadLetter> dead =
                delivery("app", 5_000, true)
                        .deliver(change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(notNeeded).hasValue(0);
        assertThat(applied).hasValue(1);
        assertThat(lagging.simulator().people()).singleElement();
        assertThat(lagging.simulator().personById("c-new").orElseThrow().attributes())
                .containsKey("plan");
        // The App API answered 404 first: it was asked again, and the cio_id came from
        // customer.attributes (this simulator sends no customer.identifiers).
        assertThat(lagging.simulator().requests())
                .filteredOn(r -> r.path().endsWith("/attributes"))
                .extracting(r -> r.status())
                .startsWith(404)
                .contains(200);
    }

    @Test
    void withoutTheGraceALaggingAppApiLosesTheChange() throws Exception {
        use(lagging);
        identify("c-old", "{\"plan\":\"pro\"}");
        List<DeadLetter> dead =
                delivery("app", 0, true)
                        .deliver(change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        // What the grace is for: taken as "not needed", the person keeps the old id.
        assertThat(notNeeded).hasValue(1);
        assertThat(lagging.simulator().personById("c-old")).isPresent();
    }

    @Test
    void inAnIdOnlyWorkspaceAnEmailChangeIsAnIdentifyByIdWithoutTheAppApi() throws Exception {
        use(idOnly);
        identify("c-1", "{\"email\":\"a@x.io\"}");
        List<DeadLetter> dead =
                delivery("app", GRACE_MS, false)
                        .deliver(
                                change(
                                        PersonIdentifier.id("c-1"),
                                        PersonIdentifier.email("b@x.io")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead).isEmpty();
        assertThat(idOnly.simulator().personById("c-1").orElseThrow().email()).isEqualTo("b@x.io");
        assertThat(idOnly.simulator().requests())
                .extracting(r -> r.method() + " " + r.path())
                .containsExactly("PUT /api/v1/customers/c-1", "POST /api/v2/entity");
    }

    @Test
    void anIdOnlyWorkspaceRefusesTheEmailLookUpAndTheDeadLetterSaysWhichSetting() throws Exception {
        use(idOnly);
        identify("c-1", "{\"email\":\"a@x.io\"}");
        List<DeadLetter> dead =
                delivery("app", GRACE_MS, true)
                        .deliver(
                                change(
                                        PersonIdentifier.id("c-1"),
                                        PersonIdentifier.email("b@x.io")))
                        .get(10, TimeUnit.SECONDS);
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo("rejected_by_customerio");
                            assertThat(d.detail).contains("customerio.workspace-identifiers");
                        });
        assertThat(idOnly.simulator().personById("c-1").orElseThrow().email()).isEqualTo("a@x.io");
    }

    /**
     * An App API answering 200 without a usable cio_id, for the person ({@code c-old}) or for the
     * new identifier's person ({@code c-new}), as {@code body} says.
     */
    private static com.sun.net.httpserver.HttpServer appApiAnswering(
            java.util.function.Function<String, String> body) throws Exception {
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(
                        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    byte[] answer =
                            body.apply(exchange.getRequestURI().getPath())
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, answer.length);
                    exchange.getResponseBody().write(answer);
                    exchange.close();
                });
        server.start();
        return server;
    }

    private List<DeadLetter> deliverThrough(
            com.sun.net.httpserver.HttpServer server, CustomerioOperation op) throws Exception {
        appApi =
                new AppApiClient(
                        "http://127.0.0.1:" + server.getAddress().getPort(),
                        "app",
                        Duration.ofSeconds(2),
                        "test-app-fake");
        IdentifierChangeDelivery changes =
                new IdentifierChangeDelivery(
                        appApi,
                        track,
                        new RateLimiter(1000, Clock.system()),
                        new RateLimiter(1000, Clock.system()),
                        policy(),
                        timer,
                        Clock.system(),
                        DeliveryListener.NONE,
                        GRACE_MS,
                        true);
        return new Changes(
                        new OperationDelivery(
                                        track,
                                        new RateLimiter(1000, Clock.system()),
                                        policy(),
                                        timer,
                                        Clock.system(),
                                        DeliveryListener.NONE)
                                .withIdentifierChanges(changes))
                .deliver(op)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void anEmptyCioIdIsAFailureNeverAnAppliedChange() throws Exception {
        identify("c-old", "{}");
        String withoutCioId =
                "{\"customer\":{\"id\":\"c-old\",\"identifiers\":{\"cio_id\":\"\"},"
                        + "\"attributes\":{\"cio_id\":\" \"}}}";
        com.sun.net.httpserver.HttpServer server = appApiAnswering(path -> withoutCioId);
        try {
            List<DeadLetter> dead =
                    deliverThrough(
                            server,
                            change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")));
            assertThat(dead)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.reason).isEqualTo("unexpected_status");
                                assertThat(d.detail).contains("without the person's cio_id");
                            });
        } finally {
            server.stop(0);
        }
        assertThat(customerio.simulator().personById("c-old")).isPresent();
        assertThat(customerio.simulator().personById("c-new")).isEmpty();
    }

    @Test
    void anEmptyCioIdOfTheNewIdentifiersPersonIsNeitherNoConflictNorTheSamePerson()
            throws Exception {
        identify("c-old", "{}");
        String cioId = customerio.simulator().personById("c-old").orElseThrow().cioId();
        com.sun.net.httpserver.HttpServer server =
                appApiAnswering(
                        path ->
                                path.contains("c-old")
                                        ? "{\"customer\":{\"id\":\"c-old\",\"attributes\":{\"cio_id\":\""
                                                + cioId
                                                + "\"}}}"
                                        : "{\"customer\":{\"id\":\"c-new\",\"attributes\":{}}}");
        try {
            List<DeadLetter> dead =
                    deliverThrough(
                            server,
                            change(PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")));
            assertThat(dead)
                    .singleElement()
                    .satisfies(d -> assertThat(d.reason).isEqualTo("unexpected_status"));
        } finally {
            server.stop(0);
        }
        // The change was not made: the person keeps the old id.
        assertThat(customerio.simulator().personById("c-old")).isPresent();
        assertThat(customerio.simulator().personById("c-new")).isEmpty();
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
