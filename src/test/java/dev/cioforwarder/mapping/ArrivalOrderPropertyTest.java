package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.BatchBody;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.RequestBatcher;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.RunningSimulator;
import dev.cioforwarder.simulator.SimulatorConfig;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.OperationChecks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Arrival order does not change what Customer.io ends up with. For generated histories of one user
 * (opt-outs and opt-ins, identities appearing and changing, attributes set and deleted, events,
 * push tokens registered and unregistered, an erasure request), with another user who may take the
 * same push tokens, the batches and the request are delivered once in time order and once in a
 * random order, each through the state machine and the token index into the Customer.io simulator
 * over real HTTP; the simulator's final state (people with their identifiers, attributes, {@code
 * unsubscribed} and push devices, and which events exist) must be the same.
 *
 * <p>The batches are what mParticle sends: {@code user_attributes} and {@code user_identities} are
 * the user's full sets at the batch time (mParticle enriches every outgoing batch from the
 * profile), {@code deleted_user_attributes} names what was removed during the batch.
 *
 * <p>Where the outcome cannot be the same, the case names its exception, and only that part is
 * relaxed:
 *
 * <ul>
 *   <li>{@link Unavoidable#OPT_OUT_LEARNED_LATE}: data newer than an opt-out was forwarded before
 *       the (older) batch holding the opt-out arrived. Customer.io cannot delete events, and the
 *       forwarder cannot know the future: events and attributes are not compared, {@code
 *       unsubscribed} still is.
 *   <li>{@link Unavoidable#OPT_IN_LEARNED_LATE}: events newer than an opt-in were held back because
 *       the (older) opt-in had not arrived; held events are not kept to be sent later. The random
 *       order must then have a subset of the events; attributes are not compared.
 *   <li>{@link Unavoidable#ERASURE_LEARNED_LATE}: a batch newer than the erasure request arrived
 *       before it, and went to the person the request then deleted. Nothing is compared but that no
 *       event older than the request survives, in either order.
 *   <li>{@link Unavoidable#TOKEN_MOVE_LEARNED_LATE}: a user's sighting of a push token arrived
 *       after another user's newer one. The token index keeps only the newest sighting, so the
 *       token's owner is the same in both orders, but the move and move back it missed (and so
 *       whether the device was deleted and then held while its owner was opted out) are not: push
 *       devices are not compared.
 *   <li>{@link Unavoidable#LATE_RESUBSCRIBE}: with {@code resubscribe-on-opt-in}, {@code
 *       unsubscribed: false} goes out under the opt-in's own time, never a newer one (so an older
 *       opt-in cannot undo a newer unsubscribe from an email link); Customer.io ignores an update
 *       older than the newest it applied, so an opt-in arriving after a newer batch may not
 *       resubscribe: {@code unsubscribed} is not compared.
 * </ul>
 *
 * <p>Identifiers (who the person is, by id and email) and the absence of any dead letter or invalid
 * operation are checked in every case. Email changes are generated only where Customer.io can apply
 * them (a person addressed by id, with "Allow updates to email using ID"): otherwise the email it
 * keeps is the first it received, which depends on arrival order by Customer.io's own rules.
 *
 * <p>Seeded: {@code -Dorder.seed=} and {@code -Dorder.case=} rerun one case; a failure prints both,
 * the settings, the batches and the two delivery orders.
 */
class ArrivalOrderPropertyTest {

    private static final long SEED = Long.getLong("order.seed", 20261201L);
    private static final int CASES = Integer.getInteger("order.cases", 2000);
    private static final int ONLY_CASE = Integer.getInteger("order.case", -1);

    private static final String SITE = "site-order";
    private static final String KEY = "key-order";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long T0 = 1_764_000_000_000L;
    private static final List<String> ATTRIBUTE_POOL =
            List.of("plan", "seats", "color", "tier", "$FirstName", "$LastName");

    enum Unavoidable {
        OPT_OUT_LEARNED_LATE,
        OPT_IN_LEARNED_LATE,
        LATE_RESUBSCRIBE,
        ERASURE_LEARNED_LATE,
        TOKEN_MOVE_LEARNED_LATE
    }

    @RegisterExtension static final RunningSimulator strict = new RunningSimulator(SITE, KEY);

    /** A workspace with "Allow updates to email using ID" on. */
    @RegisterExtension
    static final RunningSimulator allowingEmailUpdates =
            new RunningSimulator(
                    SimulatorConfig.builder()
                            .siteId(SITE)
                            .apiKey(KEY)
                            .allowEmailUpdatesById(true)
                            .build());

    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /**
     * One generated batch and what it holds, for deciding the exceptions; or, with {@code erasure}
     * set, the erasure request of the case's user (then {@code json} is null).
     */
    record Batch(
            int index,
            long timeMs,
            String json,
            List<long[]> optChanges,
            List<Long> eventTimes,
            boolean mainUser,
            ErasureRequest erasure,
            String token) {}

    /** A generated case: settings and the user's batches in time order. */
    record Case(
            int number,
            MappingSettings settings,
            List<Batch> batches,
            long customerIdSinceMs,
            List<long[]> optChanges,
            long erasedAtMs) {

        /** Whether the user is opted out at {@code timeMs}, by the whole history. */
        boolean optedOutAt(long timeMs) {
            boolean out = false;
            for (long[] change : optChanges) {
                if (change[0] <= timeMs) {
                    out = change[1] == 1;
                }
            }
            return out;
        }
    }

    @Test
    void theFinalStateDoesNotDependOnArrivalOrder() throws Exception {
        Map<Unavoidable, Integer> exceptions = new LinkedHashMap<>();
        int fullyCompared = 0;
        for (int c = 0; c < CASES; c++) {
            if (ONLY_CASE >= 0 && c != ONLY_CASE) {
                continue;
            }
            Random random = new Random(SEED * 1_000_003L + c);
            Case generated = generate(c, random);
            List<Batch> shuffled = new ArrayList<>(generated.batches());
            Collections.shuffle(shuffled, random);
            try {
                Set<Unavoidable> applying = exceptions(generated, shuffled);
                applying.forEach(e -> exceptions.merge(e, 1, Integer::sum));
                if (applying.isEmpty()) {
                    fullyCompared++;
                }
                compare(generated, shuffled, applying);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(describe(generated, shuffled, e), e);
            }
        }
        System.out.printf(
                "ArrivalOrderPropertyTest: %d cases (seed %d), %d compared in full, exceptions"
                        + " %s%n",
                CASES, SEED, fullyCompared, exceptions);
        if (ONLY_CASE < 0) {
            // The generator must exercise what the property is about, not only its exceptions.
            assertThat(fullyCompared).isGreaterThan(CASES / 3);
            assertThat(exceptions).containsKeys(Unavoidable.values());
        }
    }

    private void compare(Case c, List<Batch> shuffled, Set<Unavoidable> exceptions)
            throws Exception {
        CustomerioSimulator simulator =
                (c.settings().updateEmailById() ? allowingEmailUpdates : strict).simulator();
        Outcome inTimeOrder = deliver(simulator, c.settings(), c.batches());
        Outcome inRandomOrder = deliver(simulator, c.settings(), shuffled);

        if (exceptions.contains(Unavoidable.ERASURE_LEARNED_LATE)) {
            // A late request deletes more (what newer batches sent to the person before it came),
            // never less: nothing survives that the time order deleted (unless an opt-out learnt
            // late let events out that the time order held).
            // Events by id: the person they are on may lack what the deletion took (an id
            // attached by a batch that came before the request).
            if (!exceptions.contains(Unavoidable.OPT_OUT_LEARNED_LATE)) {
                assertThat(eventIds(inTimeOrder)).as("events").containsAll(eventIds(inRandomOrder));
            }
            return;
        }
        assertThat(inRandomOrder.identities())
                .as("people (id and email)")
                .isEqualTo(inTimeOrder.identities());
        if (!exceptions.contains(Unavoidable.LATE_RESUBSCRIBE)) {
            assertThat(inRandomOrder.unsubscribed())
                    .as("unsubscribed")
                    .isEqualTo(inTimeOrder.unsubscribed());
        }
        boolean optOutLate = exceptions.contains(Unavoidable.OPT_OUT_LEARNED_LATE);
        boolean optInLate = exceptions.contains(Unavoidable.OPT_IN_LEARNED_LATE);
        if (!optOutLate && !optInLate) {
            assertThat(inRandomOrder.attributes())
                    .as("attributes")
                    .isEqualTo(inTimeOrder.attributes());
            assertThat(inRandomOrder.events()).as("events").isEqualTo(inTimeOrder.events());
            if (!exceptions.contains(Unavoidable.TOKEN_MOVE_LEARNED_LATE)) {
                assertThat(inRandomOrder.devices())
                        .as("push devices (token platform)")
                        .isEqualTo(inTimeOrder.devices());
            }
        } else if (!optInLate) {
            // Events went out before the opt-out was known; none is missing.
            assertThat(inRandomOrder.events()).as("events").containsAll(inTimeOrder.events());
        } else if (!optOutLate) {
            // Events were held before the opt-in was known; none is extra.
            assertThat(inTimeOrder.events()).as("events").containsAll(inRandomOrder.events());
        }
    }

    private static Set<String> eventIds(Outcome o) {
        Set<String> ids = new TreeSet<>();
        for (String e : o.events()) {
            String[] parts = e.split(" ");
            ids.add(parts[parts.length - 2] + " " + parts[parts.length - 1]);
        }
        return ids;
    }

    /** Which exceptions the delivery order makes unavoidable. */
    private static Set<Unavoidable> exceptions(Case c, List<Batch> order) {
        Set<Unavoidable> out = new TreeSet<>();
        for (int j = 0; j < order.size(); j++) {
            Batch later = order.get(j);
            if (later.token() != null) {
                for (int i = 0; i < j; i++) {
                    Batch earlier = order.get(i);
                    if (later.token().equals(earlier.token())
                            && earlier.mainUser() != later.mainUser()
                            && earlier.timeMs() > later.timeMs()) {
                        out.add(Unavoidable.TOKEN_MOVE_LEARNED_LATE);
                    }
                }
            }
            if (later.erasure() != null) {
                for (int i = 0; i < j; i++) {
                    Batch earlier = order.get(i);
                    if (earlier.mainUser()
                            && earlier.erasure() == null
                            && earlier.timeMs() >= later.timeMs()) {
                        out.add(Unavoidable.ERASURE_LEARNED_LATE);
                    }
                }
            }
            for (long[] change : later.optChanges()) {
                long time = change[0];
                boolean optedOut = change[1] == 1;
                for (int i = 0; i < j; i++) {
                    Batch earlier = order.get(i);
                    if (earlier.mainUser()
                            && earlier.erasure() == null
                            && earlier.timeMs() > time) {
                        if (optedOut) {
                            out.add(Unavoidable.OPT_OUT_LEARNED_LATE);
                        } else {
                            if (c.settings().resubscribeOnOptIn()) {
                                out.add(Unavoidable.LATE_RESUBSCRIBE);
                            }
                            out.add(Unavoidable.OPT_IN_LEARNED_LATE);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** What the simulator holds after a delivery, normalized for comparison. */
    record Outcome(
            Set<String> identities,
            Map<String, String> attributes,
            Map<String, Boolean> unsubscribed,
            Set<String> events,
            Map<String, Set<String>> devices) {}

    private Outcome deliver(
            CustomerioSimulator simulator, MappingSettings settings, List<Batch> order)
            throws Exception {
        simulator.reset();
        UserStateMachine machine = new UserStateMachine(settings);
        Map<String, UserState> states = new HashMap<>();
        Map<String, Map<String, Long>> devices = new HashMap<>();
        Map<String, TokenOwner> tokens = new HashMap<>();
        PushTokenSightings sightings = new PushTokenSightings();
        BatchParser parser = new BatchParser();
        for (Batch batch : order) {
            MParticleBatch parsed;
            if (batch.erasure() != null) {
                parsed = MParticleBatch.ofErasure(batch.erasure(), "erasures", 0, 0);
                parsed.userKey = Long.toString(batch.erasure().mpid);
            } else {
                ParseResult result =
                        parser.parse(batch.json().getBytes(StandardCharsets.UTF_8), batch.timeMs());
                assertThat(result.isRejected()).as("parsed batch %d", batch.index()).isFalse();
                assertThat(result.eventRejections()).isEmpty();
                parsed = result.batch();
            }
            String userKey = parsed.userKey;
            Map<String, Long> userDevices = devices.computeIfAbsent(userKey, k -> new HashMap<>());
            Transition t =
                    machine.apply(
                            states.get(userKey),
                            new DeviceFirstSeen() {
                                @Override
                                public Long get(String deviceType) {
                                    return userDevices.get(deviceType);
                                }

                                @Override
                                public void put(String deviceType, long firstSeenMs) {
                                    userDevices.put(deviceType, firstSeenMs);
                                }

                                @Override
                                public void clear() {
                                    userDevices.clear();
                                }
                            },
                            parsed);
            take(simulator, settings, states, userKey, t, batch);
            if (settings.forwardDevices() && batch.erasure() == null) {
                // The token index's changes, after the batch (the usual arrival order).
                List<DeviceChange> changes = new ArrayList<>();
                for (TokenSighting sighting : sightings.read(parsed).sightings()) {
                    tokens.put(
                            sighting.token,
                            TokenOwnership.apply(
                                    tokens.get(sighting.token),
                                    sighting,
                                    settings.deviceRefreshIntervalMs(),
                                    changes));
                }
                for (DeviceChange change : changes) {
                    take(
                            simulator,
                            settings,
                            states,
                            change.userKey,
                            machine.applyDeviceChange(states.get(change.userKey), change),
                            batch);
                }
            }
        }
        assertThat(simulator.summary().rejectedOperations()).as("refused operations").isZero();

        Set<String> identities = new TreeSet<>();
        Map<String, String> attributes = new HashMap<>();
        Map<String, Boolean> unsubscribed = new HashMap<>();
        Map<String, Set<String>> personDevices = new HashMap<>();
        Map<String, String> keyByCioId = new HashMap<>();
        for (Person p : simulator.people()) {
            identities.add("id=" + p.id() + " email=" + lower(p.email()));
            String key = "id=" + p.id() + " email=" + lower(p.email());
            keyByCioId.put(p.cioId(), key);
            attributes.put(key, MAPPER.writeValueAsString(new java.util.TreeMap<>(p.attributes())));
            unsubscribed.put(key, p.unsubscribed());
            Set<String> tokensOfPerson = new TreeSet<>();
            p.devices()
                    .forEach(
                            d ->
                                    tokensOfPerson.add(
                                            d.get("token").asText()
                                                    + " "
                                                    + d.get("platform").asText()));
            personDevices.put(key, tokensOfPerson);
        }
        Set<String> events = new TreeSet<>();
        for (StoredEvent e : simulator.events()) {
            events.add(keyByCioId.get(e.cioId()) + " " + e.id() + " " + e.name());
        }
        return new Outcome(identities, attributes, unsubscribed, events, personDevices);
    }

    /** Checks and sends what a transition emitted, and keeps the user's new state. */
    private static void take(
            CustomerioSimulator simulator,
            MappingSettings settings,
            Map<String, UserState> states,
            String userKey,
            Transition t,
            Batch cause)
            throws Exception {
        assertThat(t.rejections()).as("dead letters of batch %d", cause.index()).isEmpty();
        if (t.state() != null) {
            states.put(userKey, t.state());
        }
        for (CustomerioOperation op : t.operations()) {
            assertThat(OperationChecks.violations(op, settings.apiMode(), false))
                    .as("operation %s", new String(op.body, StandardCharsets.UTF_8))
                    .isEmpty();
        }
        send(simulator, settings.apiMode(), t.operations());
    }

    private static String lower(String email) {
        return email == null ? null : email.toLowerCase(Locale.ROOT);
    }

    /** Sends like the job does: /batch requests that end after an attaching identify; v1 singly. */
    private static void send(
            CustomerioSimulator simulator, ApiMode mode, List<CustomerioOperation> operations)
            throws Exception {
        if (mode == ApiMode.V1) {
            for (CustomerioOperation op : operations) {
                post(simulator, op.method, op.path, op.body);
            }
            return;
        }
        RequestBatcher batcher = new RequestBatcher(480_000);
        List<DeliveryRequest> requests = new ArrayList<>();
        for (CustomerioOperation op : operations) {
            batcher.add(op, requests::add);
        }
        batcher.flush(requests::add);
        for (DeliveryRequest request : requests) {
            post(simulator, "POST", "/api/v2/batch", BatchBody.of(request.operations));
        }
    }

    private static void post(CustomerioSimulator simulator, String method, String path, byte[] body)
            throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                        .header(
                                "Authorization",
                                "Basic "
                                        + Base64.getEncoder()
                                                .encodeToString(
                                                        (SITE + ":" + KEY)
                                                                .getBytes(StandardCharsets.UTF_8)))
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("%s %s → %s", method, path, response.body())
                .isEqualTo(200);
    }

    // ---------------------------------------------------------------------------------------
    // The generator

    private static Case generate(int number, Random r) {
        boolean updateEmailById = r.nextBoolean();
        UserIdType idType =
                r.nextInt(4) == 0
                        ? (r.nextBoolean() ? UserIdType.EMAIL : UserIdType.CUSTOMER_ID)
                        : UserIdType.PREFER_CUSTOMER_ID;
        boolean withDevices = r.nextBoolean();
        MappingSettings settings =
                MappingSettings.builder()
                        .userIdType(idType)
                        .apiMode(r.nextInt(5) == 0 ? ApiMode.V1 : ApiMode.V2_BATCH)
                        .resubscribeOnOptIn(r.nextInt(3) == 0)
                        .updateEmailById(updateEmailById)
                        .forwardDevices(withDevices)
                        .build();
        // Two push tokens, each of one platform, that the user and another may register.
        List<String> tokens = List.of("tok-" + number + "-ios", "tok-" + number + "-android");
        List<String> platforms = List.of("iOS", "Android");
        long mpid = 1_000_000L + number;
        Map<String, Object> attributes = new LinkedHashMap<>();
        String customerId = r.nextInt(3) == 0 ? "c-" + number : null;
        long customerIdSince = customerId != null ? 0 : Long.MAX_VALUE;
        List<long[]> allOptChanges = new ArrayList<>();
        String email = r.nextInt(3) == 0 ? "u" + number + "@x.io" : null;
        int emailVersion = 0;
        int batches = 2 + r.nextInt(6);
        List<Batch> out = new ArrayList<>();
        long time = T0 + number * 10_000_000L;
        int eventCounter = 0;
        for (int b = 0; b < batches; b++) {
            ObjectNode batch = MAPPER.createObjectNode();
            ArrayNode events = MAPPER.createArrayNode();
            List<String> deleted = new ArrayList<>();
            List<long[]> optChanges = new ArrayList<>();
            List<Long> eventTimes = new ArrayList<>();
            int actions = r.nextInt(5);
            for (int a = 0; a < actions; a++) {
                time += 1_000 + r.nextInt(5_000);
                int kind = r.nextInt(10);
                if (kind <= 1) {
                    String name = ATTRIBUTE_POOL.get(r.nextInt(ATTRIBUTE_POOL.size()));
                    attributes.put(name, randomValue(r));
                    deleted.remove(name);
                } else if (kind == 2 && !attributes.isEmpty()) {
                    List<String> names = new ArrayList<>(attributes.keySet());
                    String name = names.get(r.nextInt(names.size()));
                    attributes.remove(name);
                    if (!deleted.contains(name)) {
                        deleted.add(name);
                    }
                } else if (kind == 3 && customerId == null) {
                    customerId = "c-" + number;
                    customerIdSince = time;
                    events.add(identityChange("customer_id", customerId, time));
                } else if (kind == 4 && email == null) {
                    email = "u" + number + "@x.io";
                    events.add(identityChange("email", email, time));
                } else if (kind == 4
                        && updateEmailById
                        && customerId != null
                        && idType != UserIdType.EMAIL) {
                    // Customer.io applies an email change only to a person addressed by id.
                    email = "u" + number + "-" + (++emailVersion) + "@x.io";
                    events.add(identityChange("email", email, time));
                } else if (kind == 5) {
                    boolean optedOut = r.nextInt(3) != 0;
                    ObjectNode data = MAPPER.createObjectNode();
                    data.put("is_opted_out", optedOut);
                    data.put("timestamp_unixtime_ms", time);
                    events.add(event("opt_out", data));
                    optChanges.add(new long[] {time, optedOut ? 1 : 0});
                    allOptChanges.add(new long[] {time, optedOut ? 1 : 0});
                } else {
                    boolean screen = r.nextInt(4) == 0;
                    ObjectNode data = MAPPER.createObjectNode();
                    data.put(screen ? "screen_name" : "event_name", "E" + (eventCounter % 4));
                    data.put("timestamp_unixtime_ms", time);
                    data.put("source_message_id", "m-" + number + "-" + eventCounter++);
                    data.putObject("custom_attributes").put("n", eventCounter);
                    events.add(event(screen ? "screen_view" : "custom_event", data));
                    eventTimes.add(time);
                }
            }
            int registered = -1;
            int unregistered = -1;
            if (withDevices && r.nextInt(3) == 0) {
                int k = r.nextInt(2);
                if (r.nextInt(4) == 0) {
                    // Unregistered (push_registration register:false), or the app uninstalled.
                    if (r.nextBoolean()) {
                        ObjectNode data = MAPPER.createObjectNode();
                        data.put("register", false);
                        data.put("registration_token", tokens.get(k));
                        data.put("timestamp_unixtime_ms", time);
                        events.add(event("push_registration", data));
                        unregistered = k;
                    } else {
                        ObjectNode data = MAPPER.createObjectNode();
                        data.put("timestamp_unixtime_ms", time);
                        events.add(event("uninstall", data));
                        registered = k;
                    }
                } else {
                    registered = k;
                }
            }
            time += 1_000 + r.nextInt(60_000);
            if (registered >= 0) {
                batch.putObject("device_info")
                        .put("platform", platforms.get(registered))
                        .put("push_token", tokens.get(registered));
            }
            batch.put("mpid", mpid);
            batch.put("timestamp_unixtime_ms", time);
            batch.put("batch_id", "b-" + number + "-" + b);
            ArrayNode identities = batch.putArray("user_identities");
            if (customerId != null) {
                identities
                        .addObject()
                        .put("identity_type", "customer_id")
                        .put("identity", customerId);
            }
            if (email != null) {
                identities.addObject().put("identity_type", "email").put("identity", email);
            }
            ObjectNode userAttributes = batch.putObject("user_attributes");
            attributes.forEach((k, v) -> userAttributes.set(k, MAPPER.valueToTree(v)));
            ArrayNode deletedNode = batch.putArray("deleted_user_attributes");
            deleted.forEach(deletedNode::add);
            batch.set("events", events);
            String sighted =
                    registered >= 0
                            ? tokens.get(registered)
                            : unregistered >= 0 ? tokens.get(unregistered) : null;
            out.add(
                    new Batch(
                            b,
                            time,
                            batch.toString(),
                            optChanges,
                            eventTimes,
                            true,
                            null,
                            sighted));
        }
        long start = T0 + number * 10_000_000L;
        if (withDevices) {
            // Another user takes one of the tokens, once or twice, at some time of the history.
            int takes = 1 + r.nextInt(2);
            for (int i = 0; i < takes; i++) {
                int k = r.nextInt(2);
                long at = start + 1 + (long) r.nextInt((int) Math.max(1, time - start));
                ObjectNode other = MAPPER.createObjectNode();
                other.put("mpid", mpid + 777_777L);
                other.put("timestamp_unixtime_ms", at);
                other.put("batch_id", "o-" + number + "-" + i);
                other.putArray("user_identities")
                        .addObject()
                        .put("identity_type", "customer_id")
                        .put("identity", "o-" + number);
                other.putObject("device_info")
                        .put("platform", platforms.get(k))
                        .put("push_token", tokens.get(k));
                other.putArray("events");
                out.add(
                        new Batch(
                                out.size(),
                                at,
                                other.toString(),
                                List.of(),
                                List.of(),
                                false,
                                null,
                                tokens.get(k)));
            }
        }
        long erasedAt = Long.MIN_VALUE;
        if (r.nextInt(5) == 0) {
            erasedAt = start + 1 + (long) r.nextInt((int) Math.max(1, time - start));
            ErasureRequest request = new ErasureRequest();
            request.requestId = "erase-" + number;
            request.hasMpid = true;
            request.mpid = mpid;
            request.timeMs = erasedAt;
            out.add(
                    new Batch(
                            out.size(), erasedAt, null, List.of(), List.of(), true, request, null));
        }
        out.sort(java.util.Comparator.comparingLong(Batch::timeMs));
        return new Case(number, settings, out, customerIdSince, allOptChanges, erasedAt);
    }

    private static Object randomValue(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return "v" + r.nextInt(3);
            case 1:
                return r.nextInt(3);
            case 2:
                return r.nextBoolean();
            default:
                return List.of("x" + r.nextInt(2), "y");
        }
    }

    private static ObjectNode identityChange(String type, String identity, long time) {
        ObjectNode data = MAPPER.createObjectNode();
        data.put("timestamp_unixtime_ms", time);
        data.putObject("new").put("identity_type", type).put("identity", identity);
        data.putNull("old");
        return event("user_identity_change", data);
    }

    private static ObjectNode event(String type, JsonNode data) {
        ObjectNode event = MAPPER.createObjectNode();
        event.put("event_type", type);
        event.set("data", data);
        return event;
    }

    private static String describe(Case c, List<Batch> shuffled, Throwable failure) {
        StringBuilder sb = new StringBuilder();
        sb.append("case ")
                .append(c.number())
                .append(" failed (rerun: -Dorder.seed=")
                .append(SEED)
                .append(" -Dorder.case=")
                .append(c.number())
                .append("): ")
                .append(failure.getMessage())
                .append("\nsettings: ")
                .append(c.settings())
                .append("\nbatches in time order:");
        for (Batch b : c.batches()) {
            sb.append("\n  #")
                    .append(b.index())
                    .append(' ')
                    .append(b.erasure() != null ? "erasure at " + b.timeMs() : b.json());
        }
        sb.append("\nrandom order: ");
        shuffled.forEach(b -> sb.append('#').append(b.index()).append(' '));
        return sb.toString();
    }
}
