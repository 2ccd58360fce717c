package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A faithful stand-in for Customer.io's Track API over real HTTP, for tests, benchmarks and local
 * runs: the v1 and v2 endpoints, Basic auth, the official description's validation rules and
 * limits, people and events with Customer.io's identity and deduplication rules, fault injection,
 * and inspection endpoints under {@code /__simulator/}.
 */
public final class CustomerioSimulator implements AutoCloseable {

    static {
        // Without TCP_NODELAY the JDK server's small responses wait for the client's delayed ACK:
        // ~40 ms a request on a keep-alive connection. Must be set before the server classes load.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // Past 200 idle keep-alive connections the JDK server closes connections right after
        // answering, which a pooling client sees as resets the real service would not cause.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;
    private static final int REQUEST_LOG_SIZE = 10_000;

    private final SimulatorConfig config;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ScheduledExecutorService delays;
    // Volatile: keys rotate at runtime (rotateApiKey, POST /__simulator/credentials).
    private volatile String expectedAuthorization;
    private volatile String expectedAppAuthorization;
    private final PeopleStore store;

    /** Apply-later mode's queue; null when operations are applied before the answer. */
    private final DeferredApplier applier;

    private volatile FaultSchedule schedule = new FaultSchedule(Faults.none());
    private volatile long unauthorizedUntilMs;
    private final Object rateLock = new Object();
    private double tokens;
    private long lastRefillNanos = System.nanoTime();

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong rejectedOperations = new AtomicLong();
    private final Map<Integer, AtomicLong> responsesByStatus = new ConcurrentHashMap<>();
    private final Deque<RequestLogEntry> requestLog = new ArrayDeque<>();

    private CustomerioSimulator(SimulatorConfig config) throws IOException {
        this.config = config;
        this.store =
                new PeopleStore(
                        config.maxStoredEvents,
                        config.allowEmailUpdatesById,
                        config.idOnlyWorkspace);
        this.applier = config.applyDelay == null ? null : new DeferredApplier(config.applyDelay);
        this.expectedAuthorization = basic(config.siteId, config.apiKey);
        this.expectedAppAuthorization = "Bearer " + config.appApiKey;
        this.server =
                HttpServer.create(new InetSocketAddress(config.bindAddress, config.port), 256);
        this.executor =
                Executors.newFixedThreadPool(
                        config.threads,
                        r -> {
                            Thread t = new Thread(r, "customerio-simulator");
                            t.setDaemon(true);
                            return t;
                        });
        this.delays =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "customerio-simulator-delays");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public static CustomerioSimulator start(SimulatorConfig config) throws IOException {
        CustomerioSimulator simulator = new CustomerioSimulator(config);
        simulator.server.start();
        if (config.applyDelay != null) {
            // The seed is what makes a failing run repeatable: always shown.
            System.out.println(
                    "Customer.io simulator on "
                            + simulator.baseUrl()
                            + ": apply-later mode, delay "
                            + config.applyDelay.toMillis()
                            + " ms, batch shuffle seed "
                            + config.applySeed);
            System.out.flush();
        }
        return simulator;
    }

    /** The batch shuffle's seed in apply-later mode. */
    public long applySeed() {
        return config.applySeed;
    }

    /**
     * Waits until every Track request acknowledged so far is applied (at once outside apply-later
     * mode), so a test can assert final state.
     *
     * @throws IllegalStateException when they are not applied within {@code timeout}
     */
    public void awaitApplied(Duration timeout) throws InterruptedException {
        if (applier != null && !applier.awaitApplied(timeout)) {
            throw new IllegalStateException(
                    applier.pending()
                            + " acknowledged requests not applied within "
                            + timeout
                            + " (apply delay "
                            + config.applyDelay
                            + ")");
        }
    }

    /** {@link #awaitApplied(Duration)} with room for the delay and a slow machine. */
    public void awaitApplied() throws InterruptedException {
        awaitApplied(
                Duration.ofSeconds(30)
                        .plus(config.applyDelay == null ? Duration.ZERO : config.applyDelay));
    }

    /** Track requests acknowledged and not applied yet (0 outside apply-later mode). */
    public long pendingRequests() {
        return applier == null ? 0 : applier.pending();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://" + config.bindAddress + ":" + port();
    }

    /**
     * Puts these faults in force, counting every ratio and rule afresh.
     *
     * @throws IllegalArgumentException when a rule cannot be used (the message names it)
     */
    public void setFaults(Faults newFaults) {
        String problem = newFaults.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        synchronized (rateLock) {
            tokens = newFaults.rateLimitRps;
            lastRefillNanos = System.nanoTime();
        }
        unauthorizedUntilMs =
                newFaults.unauthorizedSeconds > 0
                        ? System.currentTimeMillis() + newFaults.unauthorizedSeconds * 1000
                        : 0;
        schedule = new FaultSchedule(newFaults);
    }

    public void clearFaults() {
        setFaults(Faults.none());
    }

    public Faults faults() {
        return schedule.faults();
    }

    /**
     * How often each rule of the faults in force hit since they were set (refusals: operations
     * refused alone, or requests answered whole), in the order of the rules.
     */
    public FaultHits faultHits() {
        return schedule.hits();
    }

    /**
     * From now on the Track API accepts only this key (with the configured site id); requests with
     * the old one are answered 401, as after a key is rotated in Customer.io. {@link #reset()}
     * restores the configured key.
     */
    public void rotateApiKey(String apiKey) {
        expectedAuthorization = basic(config.siteId, requireKey("api_key", apiKey));
    }

    /**
     * From now on the App API accepts only this key (Bearer); the old one is answered 401. {@link
     * #reset()} restores the configured key.
     */
    public void rotateAppApiKey(String appApiKey) {
        expectedAppAuthorization = "Bearer " + requireKey("app_api_key", appApiKey);
    }

    private static String requireKey(String name, String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(name + ": give the new key, a non-empty string");
        }
        return key;
    }

    private static String basic(String siteId, String apiKey) {
        return "Basic "
                + Base64.getEncoder()
                        .encodeToString((siteId + ":" + apiKey).getBytes(StandardCharsets.UTF_8));
    }

    /** Empties people, events and counters, clears the faults and restores the configured keys. */
    public void reset() {
        clearFaults();
        expectedAuthorization = basic(config.siteId, config.apiKey);
        expectedAppAuthorization = "Bearer " + config.appApiKey;
        if (applier != null) {
            applier.discard(store::reset);
        } else {
            store.reset();
        }
        requests.set(0);
        operations.set(0);
        rejectedOperations.set(0);
        responsesByStatus.clear();
        synchronized (requestLog) {
            requestLog.clear();
        }
    }

    public Summary summary() {
        Map<Integer, Long> statuses = new TreeMap<>();
        responsesByStatus.forEach((k, v) -> statuses.put(k, v.get()));
        return new Summary(
                requests.get(),
                operations.get(),
                store.peopleCount(),
                store.eventCount(),
                store.duplicateEvents.get(),
                rejectedOperations.get(),
                store.attributeUpdateFailures.get(),
                store.staleUpdates.get(),
                statuses,
                store.probe(),
                store.peopleCreatedByDevices.get(),
                store.anonymousEventCount(),
                store.latencyBySecond());
    }

    public List<Person> people() {
        return store.people();
    }

    public Optional<Person> personById(String id) {
        return store.byId(id);
    }

    public Optional<Person> personByEmail(String email) {
        return store.byEmail(email);
    }

    public List<StoredEvent> events() {
        return store.events(Integer.MAX_VALUE);
    }

    /** Anonymous events no person has taken yet; {@code personId()} is their anonymous_id. */
    public List<StoredEvent> anonymousEvents() {
        return store.anonymousEvents();
    }

    public List<RequestLogEntry> requests() {
        synchronized (requestLog) {
            return new ArrayList<>(requestLog);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (applier != null) {
            applier.close();
        }
        delays.shutdownNow();
        executor.shutdownNow();
    }

    // -------------------------------------------------------------------------------------
    // HTTP

    /** What to answer: a status and a JSON body (null for none). */
    private record Answer(int status, Object body, int operations, Map<String, String> headers) {
        Answer(int status, Object body, int operations) {
            this(status, body, operations, Map.of());
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getRawPath();
            if (path.startsWith("/__simulator/") || path.equals("/")) {
                inspect(exchange, path);
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (path.startsWith("/v1/")) {
                appApi(exchange, path);
                return;
            }
            track(exchange, path, body);
        } catch (Exception e) {
            try {
                respond(
                        exchange,
                        new Answer(500, Map.of("meta", Map.of("error", "simulator: " + e)), 0));
            } catch (IOException ignored) {
                exchange.close();
            }
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        in.close();
        return bytes;
    }

    private void track(HttpExchange exchange, String rawPath, byte[] body) throws Exception {
        requests.incrementAndGet();
        long receivedAt = System.currentTimeMillis();
        String method = exchange.getRequestMethod();
        String query = exchange.getRequestURI().getRawQuery();
        FaultSchedule s = schedule;
        Faults f = s.faults();
        if (answeredByPath(exchange, method, rawPath, query, false, s, receivedAt)) {
            return;
        }
        if (!expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                || f.unauthorized
                || receivedAt < unauthorizedUntilMs) {
            finish(exchange, method, rawPath, new Answer(401, null, 0), receivedAt);
            return;
        }
        if (s.status429(f.status429Ratio) || (f.rateLimitRps > 0 && !takeToken(f.rateLimitRps))) {
            Map<String, String> headers =
                    f.retryAfterSeconds > 0
                            ? Map.of("Retry-After", Integer.toString(f.retryAfterSeconds))
                            : Map.of();
            finish(exchange, method, rawPath, new Answer(429, null, 0, headers), receivedAt);
            return;
        }
        if (s.dropConnection(f.dropConnectionRatio)) {
            // Closing before any response header closes the TCP connection: the client sees an
            // I/O error, as with a reset connection.
            log(method, rawPath, 0, 0, receivedAt);
            exchange.close();
            return;
        }
        if (s.timeout(f.timeoutRatio)) {
            // Held on a timer, not on a request thread, so inspection keeps answering.
            delays.schedule(
                    () -> {
                        log(method, rawPath, 0, 0, receivedAt);
                        exchange.close();
                    },
                    f.timeoutHoldMs,
                    TimeUnit.MILLISECONDS);
            return;
        }
        long delay = f.latencyMs + s.jitterMs(f.latencyJitterMs);
        Runnable answer =
                () -> {
                    try {
                        if (s.status503(f.status503Ratio)) {
                            finish(exchange, method, rawPath, new Answer(503, null, 0), receivedAt);
                        } else if (s.status500(f.status500Ratio)) {
                            finish(exchange, method, rawPath, new Answer(500, null, 0), receivedAt);
                        } else {
                            List<Runnable> effects = new ArrayList<>();
                            Answer routed = route(method, rawPath, query, body, s, effects);
                            // Applied (or queued) before the answer goes out: what a client was
                            // told is accepted is in the store, or in the queue, by then.
                            commit(effects);
                            finish(exchange, method, rawPath, routed, receivedAt);
                        }
                    } catch (Exception e) {
                        exchange.close();
                    }
                };
        if (delay > 0) {
            // The exchange is answered later from the timer: latency costs no request thread.
            delays.schedule(() -> executor.execute(answer), delay, TimeUnit.MILLISECONDS);
        } else {
            answer.run();
        }
    }

    /**
     * The App API's person look-up, {@code GET /v1/customers/{identifier}/attributes?id_type=id|
     * email|cio_id} with Bearer auth (its own key): the person's attributes, {@code cio_id}, {@code
     * id} and {@code email} among them as in Customer.io's documented answer, and (unless
     * configured off) an {@code identifiers} object; 404 when nobody has the identifier, or got it
     * less than the configured App API lag ago; 400 for {@code id_type=email} in an ID-only
     * workspace.
     */
    private void appApi(HttpExchange exchange, String rawPath) throws IOException {
        requests.incrementAndGet();
        long receivedAt = System.currentTimeMillis();
        String method = exchange.getRequestMethod();
        String query = exchange.getRequestURI().getRawQuery();
        FaultSchedule s = schedule;
        if (answeredByPath(exchange, method, rawPath, query, true, s, receivedAt)) {
            return;
        }
        if (!expectedAppAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))
                || s.faults().appApiUnauthorized) {
            finish(exchange, method, rawPath, new Answer(401, null, 0), receivedAt);
            return;
        }
        String[] segments = rawPath.substring(1).split("/", -1);
        if (!method.equals("GET")
                || segments.length != 4
                || !segments[1].equals("customers")
                || !segments[3].equals("attributes")) {
            finish(
                    exchange,
                    method,
                    rawPath,
                    new Answer(404, Map.of("meta", Map.of("error", "not an App API path here")), 0),
                    receivedAt);
            return;
        }
        String idType = "id";
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith("id_type=")) {
                    idType = pair.substring("id_type=".length());
                }
            }
        }
        if (config.idOnlyWorkspace && idType.equals("email")) {
            finish(
                    exchange,
                    method,
                    rawPath,
                    new Answer(
                            400,
                            Map.of(
                                    "meta",
                                    Map.of(
                                            "error",
                                            "email is not an identifier in this workspace")),
                            0),
                    receivedAt);
            return;
        }
        String identifier =
                URLDecoder.decode(segments[2].replace("+", "%2B"), StandardCharsets.UTF_8);
        Optional<Person> person = store.lookUp(idType, identifier, config.appApiLagMs);
        if (person.isEmpty()) {
            finish(
                    exchange,
                    method,
                    rawPath,
                    new Answer(404, Map.of("meta", Map.of("error", "Customer not found")), 0),
                    receivedAt);
            return;
        }
        Person p = person.get();
        Map<String, Object> customer = new LinkedHashMap<>();
        customer.put("id", p.id());
        if (config.appApiIdentifiersObject) {
            Map<String, Object> identifiers = new LinkedHashMap<>();
            identifiers.put("cio_id", p.cioId());
            identifiers.put("id", p.id());
            if (!config.idOnlyWorkspace) {
                identifiers.put("email", p.email());
            }
            customer.put("identifiers", identifiers);
        }
        Map<String, Object> attributes = new LinkedHashMap<>(p.attributes());
        attributes.put("cio_id", p.cioId());
        if (p.id() != null) {
            attributes.put("id", p.id());
        }
        if (p.email() != null) {
            attributes.put("email", p.email());
        }
        customer.put("attributes", attributes);
        finish(
                exchange,
                method,
                rawPath,
                new Answer(200, Map.of("customer", customer), 0),
                receivedAt);
    }

    /**
     * Answers the request with a {@code path_statuses} rule's status when one matches; before the
     * credentials, as a router or the wrong region answers before Customer.io looks at the key.
     */
    private boolean answeredByPath(
            HttpExchange exchange,
            String method,
            String rawPath,
            String query,
            boolean appApi,
            FaultSchedule s,
            long receivedAt)
            throws IOException {
        int index = s.pathStatus(method, rawPath);
        if (index < 0) {
            return false;
        }
        PathStatus rule = s.pathStatusAt(index);
        finish(
                exchange,
                method,
                rawPath,
                wholeRequest(
                        rule.status,
                        rule.locationBase,
                        "path_statuses[" + index + "]",
                        appApi,
                        rawPath,
                        query,
                        s.faults()),
                receivedAt);
        return true;
    }

    private boolean takeToken(double rps) {
        synchronized (rateLock) {
            long now = System.nanoTime();
            tokens = Math.min(rps, tokens + (now - lastRefillNanos) / 1e9 * rps);
            lastRefillNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }

    /** Applies a request's accepted operations now, or queues them in apply-later mode. */
    private void commit(List<Runnable> effects) {
        if (applier != null) {
            applier.submit(effects);
        } else {
            effects.forEach(Runnable::run);
        }
    }

    /**
     * Answers one Track request; what it changes goes into {@code effects}, in the order to apply
     * it, for {@link #commit}.
     */
    private Answer route(
            String method,
            String rawPath,
            String query,
            byte[] body,
            FaultSchedule s,
            List<Runnable> effects) {
        Faults f = s.faults();
        String[] segments = rawPath.substring(1).split("/", -1);
        if (s.hasRefusals() && !rawPath.equals("/api/v2/batch")) {
            // Parsed a second time only while refusals are set: no cost otherwise.
            JsonNode json = parse(body);
            TrackOperation op =
                    rawPath.equals("/api/v2/entity") && method.equals("POST")
                            ? TrackOperation.v2(json == null ? MAPPER.nullNode() : json)
                            : TrackOperation.v1(method, rawPath, json);
            if (op != null) {
                Answer refused = refuseAlone(op, rawPath, query, s);
                if (refused != null) {
                    return refused;
                }
            }
        }
        if (rawPath.equals("/api/v1/accounts/region") && method.equals("GET")) {
            String url =
                    config.region.equals("eu")
                            ? "https://track-eu.customer.io"
                            : "https://track.customer.io";
            return new Answer(
                    200, Map.of("url", url, "region", config.region, "environment_id", 1), 0);
        }
        if (rawPath.equals("/api/v2/batch") && method.equals("POST")) {
            return batch(body, rawPath, query, s, effects);
        }
        if (rawPath.equals("/api/v2/entity") && method.equals("POST")) {
            return entity(body, f, effects);
        }
        if (rawPath.equals("/api/v1/events") && method.equals("POST")) {
            return v1Event(null, body, true, f, effects);
        }
        if (rawPath.equals("/api/v1/merge_customers") && method.equals("POST")) {
            return v1Merge(body, effects);
        }
        if (segments.length >= 4
                && segments[0].equals("api")
                && segments[1].equals("v1")
                && segments[2].equals("customers")) {
            String identifier =
                    URLDecoder.decode(segments[3].replace("+", "%2B"), StandardCharsets.UTF_8);
            if (segments.length == 4 && method.equals("PUT")) {
                return v1Identify(identifier, body, effects);
            }
            if (segments.length == 4 && method.equals("DELETE")) {
                effects.add(() -> store.delete(kindOf(identifier), strip(identifier)));
                return ok(1);
            }
            if (segments.length == 5 && segments[4].equals("events") && method.equals("POST")) {
                return v1Event(identifier, body, false, f, effects);
            }
            if (segments.length == 5 && segments[4].equals("devices") && method.equals("PUT")) {
                JsonNode json = parse(body);
                if (json == null) {
                    return v1Invalid(
                            List.of(new TrackValidation.Problem("", "the body is not JSON")), 1);
                }
                List<TrackValidation.Problem> problems =
                        TrackValidation.v1AddDevice(identifier, json);
                if (!problems.isEmpty()) {
                    return v1Invalid(problems, 1);
                }
                JsonNode device = json.get("device");
                effects.add(
                        () ->
                                store.addDevice(
                                        kindOf(identifier),
                                        strip(identifier),
                                        device.get("id").asText(),
                                        device.get("platform").asText(),
                                        device.has("last_used")
                                                ? device.get("last_used").asLong()
                                                : null,
                                        device.get("attributes")));
                return ok(1);
            }
            if (segments.length == 6 && segments[4].equals("devices") && method.equals("DELETE")) {
                String token =
                        URLDecoder.decode(segments[5].replace("+", "%2B"), StandardCharsets.UTF_8);
                List<TrackValidation.Problem> problems =
                        TrackValidation.v1DeleteDevice(identifier, token);
                if (!problems.isEmpty()) {
                    return v1Invalid(problems, 1);
                }
                effects.add(() -> store.deleteDevice(kindOf(identifier), strip(identifier), token));
                return ok(1);
            }
            if (segments.length == 5
                    && (segments[4].equals("suppress") || segments[4].equals("unsuppress"))
                    && method.equals("POST")) {
                boolean suppress = segments[4].equals("suppress");
                effects.add(() -> store.suppress(kindOf(identifier), strip(identifier), suppress));
                return ok(1);
            }
        }
        return new Answer(
                404,
                Map.of("meta", Map.of("error", "no such endpoint: " + method + " " + rawPath)),
                0);
    }

    /** Spreads a hash over 64 bits (SplitMix64's finalizer). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static String kindOf(String identifier) {
        if (identifier.startsWith("cio_")) {
            return "cio_id";
        }
        return identifier.contains("@") ? "email" : "id";
    }

    private static String strip(String identifier) {
        return identifier.startsWith("cio_") ? identifier.substring(4) : identifier;
    }

    private static JsonNode parse(byte[] body) {
        try {
            if (body.length > MAX_BODY_BYTES) {
                return null;
            }
            return MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private Answer ok(int ops) {
        operations.addAndGet(ops);
        return new Answer(200, Map.of(), ops);
    }

    private Answer v1Invalid(List<TrackValidation.Problem> problems, int ops) {
        operations.addAndGet(ops);
        rejectedOperations.addAndGet(ops);
        List<String> errors = new ArrayList<>();
        problems.forEach(p -> errors.add(p.toString()));
        return new Answer(400, Map.of("meta", Map.of("errors", errors)), ops);
    }

    private Answer v1Identify(String identifier, byte[] body, List<Runnable> effects) {
        JsonNode json = parse(body);
        if (json == null) {
            return v1Invalid(List.of(new TrackValidation.Problem("", "the body is not JSON")), 1);
        }
        List<TrackValidation.Problem> problems = TrackValidation.v1Identify(identifier, json);
        if (!problems.isEmpty()) {
            return v1Invalid(problems, 1);
        }
        JsonNode ts = json.get("_timestamp");
        effects.add(
                () ->
                        store.identify(
                                kindOf(identifier),
                                strip(identifier),
                                (ObjectNode) json,
                                ts == null ? null : ts.asLong()));
        return ok(1);
    }

    private Answer v1Event(
            String identifier, byte[] body, boolean anonymous, Faults f, List<Runnable> effects) {
        JsonNode json = parse(body);
        if (json == null) {
            return v1Invalid(List.of(new TrackValidation.Problem("", "the body is not JSON")), 1);
        }
        List<TrackValidation.Problem> problems =
                TrackValidation.v1Event(identifier, json, anonymous);
        if (problems.isEmpty() && f.rejectNames.contains(json.path("name").asText())) {
            problems =
                    List.of(
                            new TrackValidation.Problem(
                                    "name", "refused by the simulator (reject_names)"));
        }
        if (!problems.isEmpty()) {
            return v1Invalid(problems, 1);
        }
        if (!anonymous) {
            effects.add(
                    () ->
                            store.event(
                                    kindOf(identifier),
                                    strip(identifier),
                                    json.get("name").asText().strip(),
                                    json.path("type").asText("event"),
                                    json.path("id").isTextual() ? json.get("id").asText() : null,
                                    json.has("timestamp") ? json.get("timestamp").asLong() : null,
                                    json.get("data"),
                                    "v1"));
        } else {
            effects.add(
                    () ->
                            store.anonymousEvent(
                                    json.get("anonymous_id").asText(),
                                    json.get("name").asText().strip(),
                                    json.path("type").asText("event"),
                                    json.path("id").isTextual() ? json.get("id").asText() : null,
                                    json.has("timestamp") ? json.get("timestamp").asLong() : null,
                                    json.get("data"),
                                    "v1"));
        }
        return ok(1);
    }

    private Answer v1Merge(byte[] body, List<Runnable> effects) {
        JsonNode json = parse(body);
        if (json == null
                || !json.path("primary").isObject()
                || !json.path("secondary").isObject()
                || json.get("primary").size() != 1
                || json.get("secondary").size() != 1) {
            return v1Invalid(
                    List.of(
                            new TrackValidation.Problem(
                                    "", "primary and secondary each need one identifier")),
                    1);
        }
        String pk = json.get("primary").fieldNames().next();
        String sk = json.get("secondary").fieldNames().next();
        effects.add(
                () ->
                        store.merge(
                                pk,
                                json.get("primary").get(pk).asText(),
                                sk,
                                json.get("secondary").get(sk).asText()));
        return ok(1);
    }

    private Answer entity(byte[] body, Faults f, List<Runnable> effects) {
        if (body.length >= TrackValidation.MAX_OPERATION_BYTES) {
            return v1Invalid(
                    List.of(
                            new TrackValidation.Problem(
                                    "", "an /entity request must be under 32 KB")),
                    1);
        }
        JsonNode json = parse(body);
        if (json == null) {
            return v1Invalid(List.of(new TrackValidation.Problem("", "the body is not JSON")), 1);
        }
        List<TrackValidation.Problem> problems = TrackValidation.v2Operation(json, body.length);
        if (problems.isEmpty() && rejectedByName(json, f.rejectNames)) {
            problems =
                    List.of(
                            new TrackValidation.Problem(
                                    "name", "refused by the simulator (reject_names)"));
        }
        if (!problems.isEmpty()) {
            return v1Invalid(problems, 1);
        }
        effects.add(() -> apply(json));
        return ok(1);
    }

    private static boolean rejectedByName(JsonNode op, List<String> names) {
        return !names.isEmpty() && op.has("name") && names.contains(op.path("name").asText());
    }

    private Answer batch(
            byte[] body, String rawPath, String query, FaultSchedule s, List<Runnable> effects) {
        Faults f = s.faults();
        if (body.length >= TrackValidation.MAX_BATCH_BYTES) {
            return batchInvalid(
                    "batch",
                    "a /batch request must be under 500 KB (got " + body.length + " bytes)");
        }
        // One streaming pass: each operation's tree and its exact byte size in the request,
        // without serializing anything again.
        List<JsonNode> ops = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        boolean hasBatch = false;
        try (JsonParser p = MAPPER.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return batchInvalid("batch", "the body must be an object with a \"batch\" array");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("batch") && value == JsonToken.START_ARRAY) {
                    hasBatch = true;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        long start = p.currentTokenLocation().getByteOffset();
                        JsonNode op = MAPPER.readTree(p);
                        long end = p.currentLocation().getByteOffset();
                        ops.add(op);
                        sizes.add((int) (end - start));
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return batchInvalid("batch", "unexpected content after the body");
            }
        } catch (IOException e) {
            return batchInvalid("batch", "the body is not JSON");
        }
        if (!hasBatch) {
            return batchInvalid("batch", "the body must be an object with a \"batch\" array");
        }
        List<TrackOperation> addressed = new ArrayList<>();
        if (s.hasRefusals()) {
            for (JsonNode op : ops) {
                addressed.add(TrackOperation.v2(op));
            }
            // A proxy that chokes on one person answers the whole request before Customer.io.
            for (TrackOperation op : addressed) {
                int rule = s.refusal(op, false);
                if (rule >= 0) {
                    return wholeRequest(
                            s.refusalAt(rule).status,
                            s.refusalAt(rule).locationBase,
                            "refusals[" + rule + "]",
                            false,
                            rawPath,
                            query,
                            f);
                }
            }
        }
        for (JsonNode op : ops) {
            if (rejectedByName(op, f.rejectBatchNames)) {
                return batchInvalid(
                        "batch", "refused as a whole by the simulator (reject_batch_names)");
            }
        }
        operations.addAndGet(ops.size());
        List<Map<String, Object>> errors = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            JsonNode op = ops.get(i);
            int refusal = addressed.isEmpty() ? -1 : s.refusal(addressed.get(i), true);
            List<TrackValidation.Problem> problems =
                    refusal >= 0
                            ? List.of(refusalProblem(s.refusalAt(refusal), refusal, "attributes."))
                            : TrackValidation.v2Operation(op, sizes.get(i));
            if (problems.isEmpty() && rejectedByName(op, f.rejectNames)) {
                problems =
                        List.of(
                                new TrackValidation.Problem(
                                        "name", "refused by the simulator (reject_names)"));
            }
            if (problems.isEmpty()) {
                effects.add(() -> apply(op));
            } else {
                TrackValidation.Problem p = problems.get(0);
                errors.add(
                        Map.of(
                                "batch_index",
                                i,
                                "reason",
                                "invalid",
                                "field",
                                p.field(),
                                "message",
                                p.message()));
            }
        }
        if (applier != null) {
            // Apply-later mode: the batch's accepted operations in a shuffled order, drawn from
            // the seed and the request's bytes, so the same seed gives the same request the same
            // order whenever it arrives (a run is repeatable whatever the timing). The whole
            // seed is mixed: java.util.Random's first draws barely differ for seeds that differ
            // only in their low bits (seeds 1..16 once shuffled a two-operation batch alike).
            long seed = mix(config.applySeed * 0x9E3779B97F4A7C15L + Arrays.hashCode(body));
            Collections.shuffle(effects, new Random(seed));
        }
        if (errors.isEmpty()) {
            return new Answer(200, Map.of(), ops.size());
        }
        rejectedOperations.addAndGet(errors.size());
        return new Answer(207, Map.of("errors", errors), ops.size());
    }

    /**
     * Refuses a single-operation request (v1 or {@code /entity}) when a refusal rule matches: with
     * the rule's status for the whole request, else with a 400 as Customer.io refuses one
     * operation. Null when no rule matches.
     */
    private Answer refuseAlone(TrackOperation op, String rawPath, String query, FaultSchedule s) {
        int rule = s.refusal(op, false);
        if (rule >= 0) {
            Refusal r = s.refusalAt(rule);
            return wholeRequest(
                    r.status,
                    r.locationBase,
                    "refusals[" + rule + "]",
                    false,
                    rawPath,
                    query,
                    s.faults());
        }
        rule = s.refusal(op, true);
        if (rule < 0) {
            return null;
        }
        boolean v2 = rawPath.equals("/api/v2/entity");
        TrackValidation.Problem problem =
                refusalProblem(s.refusalAt(rule), rule, v2 ? "attributes." : "");
        if (!v2) {
            return v1Invalid(List.of(problem), 1);
        }
        // The description's /entity 400: {"errors":[{reason, field, message}]}.
        operations.incrementAndGet();
        rejectedOperations.incrementAndGet();
        return new Answer(
                400,
                Map.of(
                        "errors",
                        List.of(
                                Map.of(
                                        "reason",
                                        "invalid",
                                        "field",
                                        problem.field(),
                                        "message",
                                        problem.message()))),
                1);
    }

    /** The field and message a refused operation is reported with. */
    private static TrackValidation.Problem refusalProblem(
            Refusal rule, int index, String attributePrefix) {
        String field =
                rule.attribute != null
                        ? attributePrefix + rule.attribute
                        : attributePrefix.isEmpty() ? "identifier" : "identifiers";
        return new TrackValidation.Problem(
                field,
                "refused by the simulator (refusals[" + index + "], person " + rule.person + ")");
    }

    /**
     * A whole request answered with a fault's status, nothing of it applied: a 3xx sends the
     * request to {@code locationBase} (by default the other region's host), a 4xx says which rule
     * answered, other statuses have no body.
     */
    private Answer wholeRequest(
            int status,
            String locationBase,
            String rule,
            boolean appApi,
            String rawPath,
            String query,
            Faults f) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (status >= 300 && status < 400) {
            String base = locationBase != null ? locationBase : otherRegionHost(appApi);
            headers.put("Location", base + rawPath + (query == null ? "" : "?" + query));
        }
        if (status == 429 && f.retryAfterSeconds > 0) {
            headers.put("Retry-After", Integer.toString(f.retryAfterSeconds));
        }
        Object body =
                status >= 400 && status < 500
                        ? Map.of(
                                "meta", Map.of("error", "answered by the simulator (" + rule + ")"))
                        : null;
        return new Answer(status, body, 0, headers);
    }

    /** Where Customer.io sends a client that called the wrong region. */
    private String otherRegionHost(boolean appApi) {
        boolean eu = config.region.equals("eu");
        if (appApi) {
            return eu ? "https://api.customer.io" : "https://api-eu.customer.io";
        }
        return eu ? "https://track.customer.io" : "https://track-eu.customer.io";
    }

    private Answer batchInvalid(String field, String message) {
        rejectedOperations.incrementAndGet();
        return new Answer(
                400,
                Map.of(
                        "errors",
                        List.of(Map.of("reason", "invalid", "field", field, "message", message))),
                0);
    }

    /**
     * Applies one valid v2 person operation. Each field is read from the tree once: a batch applies
     * hundreds of operations, and these look-ups were a visible share of the simulator's CPU.
     */
    private void apply(JsonNode op) {
        if (!op.path("type").asText().equals("person")) {
            return;
        }
        Map.Entry<String, JsonNode> identifier = op.get("identifiers").fields().next();
        String kind = identifier.getKey();
        String value = identifier.getValue().asText();
        String action = op.get("action").asText();
        JsonNode attributes = op.get("attributes");
        JsonNode timestampNode = op.get("timestamp");
        Long timestamp = timestampNode != null ? timestampNode.asLong() : null;
        if (kind.equals("anonymous_id")) {
            store.anonymousEvent(
                    value,
                    op.get("name").asText().strip(),
                    action,
                    textOrNull(op.get("id")),
                    timestamp,
                    attributes,
                    "v2");
            return;
        }
        switch (action) {
            case "identify":
                ObjectNode fields =
                        attributes != null && attributes.isObject()
                                ? (ObjectNode) attributes
                                : MAPPER.createObjectNode();
                store.identify(kind, value, fields, timestamp);
                break;
            case "event":
            case "screen":
            case "page":
                store.event(
                        kind,
                        value,
                        op.get("name").asText().strip(),
                        action,
                        textOrNull(op.get("id")),
                        timestamp,
                        attributes,
                        "v2");
                break;
            case "delete":
                store.delete(kind, value);
                break;
            case "suppress":
                store.suppress(kind, value, true);
                break;
            case "unsuppress":
                store.suppress(kind, value, false);
                break;
            case "add_device":
                JsonNode device = op.get("device");
                store.addDevice(
                        kind,
                        value,
                        device.get("token").asText(),
                        device.get("platform").asText(),
                        device.has("last_used") ? device.get("last_used").asLong() : null,
                        device.get("attributes"));
                break;
            case "delete_device":
                store.deleteDevice(kind, value, op.path("device").path("token").asText(""));
                break;
            case "merge":
                JsonNode primary = op.path("primary");
                JsonNode secondary = op.path("secondary");
                if (primary.size() == 1 && secondary.size() == 1) {
                    String pk = primary.fieldNames().next();
                    String sk = secondary.fieldNames().next();
                    store.merge(pk, primary.get(pk).asText(), sk, secondary.get(sk).asText());
                }
                break;
            default:
                break;
        }
    }

    /** The node's text when it is a string, else null (also for a missing node). */
    private static String textOrNull(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
    }

    private void finish(
            HttpExchange exchange, String method, String path, Answer answer, long receivedAt)
            throws IOException {
        log(method, path, answer.status(), answer.operations(), receivedAt);
        respond(exchange, answer);
    }

    private void log(String method, String path, int status, int ops, long receivedAt) {
        responsesByStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        synchronized (requestLog) {
            if (requestLog.size() == REQUEST_LOG_SIZE) {
                requestLog.removeFirst();
            }
            requestLog.addLast(new RequestLogEntry(method, path, status, ops, receivedAt));
        }
    }

    private static void respond(HttpExchange exchange, Answer answer) throws IOException {
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes =
                answer.body() == null ? new byte[0] : MAPPER.writeValueAsBytes(answer.body());
        if (answer.body() != null) {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    // -------------------------------------------------------------------------------------
    // Inspection (no auth, no faults)

    private void inspect(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        URI uri = exchange.getRequestURI();
        int limit = queryInt(uri.getRawQuery(), "limit", Integer.MAX_VALUE);
        byte[] body = readBody(exchange.getRequestBody());
        switch (method + " " + path) {
            case "GET /":
                byte[] html = SimulatorPage.HTML.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, html.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(html);
                }
                return;
            case "GET /__simulator/summary":
                respond(exchange, new Answer(200, summary(), 0));
                return;
            case "GET /__simulator/people":
                respond(exchange, new Answer(200, people(), 0));
                return;
            case "GET /__simulator/events":
                respond(exchange, new Answer(200, store.events(limit), 0));
                return;
            case "GET /__simulator/requests":
                List<RequestLogEntry> log = requests();
                respond(
                        exchange,
                        new Answer(
                                200, log.subList(Math.max(0, log.size() - limit), log.size()), 0));
                return;
            case "GET /__simulator/applied":
                // {"pending": n}: acknowledged requests not applied yet; with wait_ms, after
                // waiting up to that long for them (apply-later mode).
                int waitMs = queryInt(uri.getRawQuery(), "wait_ms", 0);
                if (applier != null && waitMs > 0) {
                    try {
                        applier.awaitApplied(Duration.ofMillis(waitMs));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                respond(exchange, new Answer(200, Map.of("pending", pendingRequests()), 0));
                return;
            case "GET /__simulator/faults":
                respond(exchange, new Answer(200, faults(), 0));
                return;
            case "GET /__simulator/fault-hits":
                respond(exchange, new Answer(200, faultHits(), 0));
                return;
            case "POST /__simulator/faults":
                try {
                    setFaults(
                            body.length == 0
                                    ? Faults.none()
                                    : MAPPER.readValue(body, Faults.class));
                    respond(exchange, new Answer(200, faults(), 0));
                } catch (IOException | IllegalArgumentException e) {
                    respond(
                            exchange,
                            new Answer(400, Map.of("error", "faults: " + e.getMessage()), 0));
                }
                return;
            case "POST /__simulator/credentials":
                respond(exchange, rotateKeys(body));
                return;
            case "POST /__simulator/reset":
                reset();
                respond(exchange, new Answer(200, Map.of(), 0));
                return;
            case "POST /__simulator/gc":
                // For the benchmark, after a reset: the warm-up's people, events and ids are
                // garbage then, and the measured window should not pay for collecting them. The
                // runs after this was added did not show a lower simulator CPU (performance.md,
                // "The afternoon sitting").
                System.gc();
                Runtime runtime = Runtime.getRuntime();
                respond(
                        exchange,
                        new Answer(
                                200,
                                Map.of(
                                        "heap_used_mb",
                                        (runtime.totalMemory() - runtime.freeMemory()) >> 20),
                                0));
                return;
            default:
                respond(exchange, new Answer(404, Map.of("error", "no such endpoint"), 0));
        }
    }

    /**
     * {@code POST /__simulator/credentials}: rotates the keys the body names. Answers without them:
     * no inspection endpoint ever shows a key.
     */
    private Answer rotateKeys(byte[] body) {
        try {
            KeyRotation rotation =
                    body.length == 0
                            ? new KeyRotation(null, null)
                            : MAPPER.readValue(body, KeyRotation.class);
            if (rotation.apiKey() == null && rotation.appApiKey() == null) {
                throw new IllegalArgumentException(
                        "give api_key, app_api_key or both: the keys to accept from now on");
            }
            // Both checked before either changes, so a refused body changes nothing.
            if (rotation.apiKey() != null) {
                requireKey("api_key", rotation.apiKey());
            }
            if (rotation.appApiKey() != null) {
                requireKey("app_api_key", rotation.appApiKey());
            }
            if (rotation.apiKey() != null) {
                rotateApiKey(rotation.apiKey());
            }
            if (rotation.appApiKey() != null) {
                rotateAppApiKey(rotation.appApiKey());
            }
            return new Answer(200, Map.of(), 0);
        } catch (IOException | IllegalArgumentException e) {
            return new Answer(400, Map.of("error", "credentials: " + e.getMessage()), 0);
        }
    }

    /** The body of {@code POST /__simulator/credentials}: the keys to accept from now on. */
    record KeyRotation(
            @JsonProperty("api_key") String apiKey,
            @JsonProperty("app_api_key") String appApiKey) {}

    private static int queryInt(String query, String name, int fallback) {
        if (query == null) {
            return fallback;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                try {
                    int value = Integer.parseInt(pair.substring(name.length() + 1));
                    return value < 0 ? fallback : value;
                } catch (NumberFormatException e) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    /** Waits for the server's threads to finish the requests they hold (for clean shutdowns). */
    void awaitTermination() throws InterruptedException {
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
