package dev.cioforwarder.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * People and events, with Customer.io's identity rules: one person per id and per email
 * (case-insensitive), an email-addressed person given an {@code id} becomes that person, an
 * identify by an id nobody has carrying a known person's email re-keys that person, updates older
 * than the newest applied are ignored, and an event whose id was seen is ignored. One lock keeps it
 * simple and consistent; critical sections are short.
 */
final class PeopleStore {

    /** Mutable person record behind the lock. */
    static final class Record {
        final String cioId;
        String id;
        String email;
        final Map<String, JsonNode> attributes = new LinkedHashMap<>();
        boolean unsubscribed;
        Long createdAt;
        long newestTimestamp = Long.MIN_VALUE;
        final List<JsonNode> devices = new ArrayList<>();
        boolean suppressed;
        String anonymousId;
        long anonymousIdSetAtMs;

        /** When the person was created and their id and email last set (the App API's lag). */
        final long createdAtMs = System.currentTimeMillis();

        long idSetAtMs = createdAtMs;
        long emailSetAtMs = createdAtMs;

        Record(String cioId) {
            this.cioId = cioId;
        }

        Person snapshot() {
            return new Person(
                    cioId,
                    id,
                    email,
                    new LinkedHashMap<>(attributes),
                    unsubscribed,
                    createdAt,
                    new ArrayList<>(devices),
                    suppressed);
        }
    }

    private final int maxStoredEvents;
    private final Map<String, Record> byCioId = new LinkedHashMap<>();
    private final Map<String, Record> byId = new HashMap<>();
    private final Map<String, Record> byEmail = new HashMap<>();
    private final Map<String, Record> byPhone = new HashMap<>();
    private final UlidSet seenEventIds = new UlidSet();
    private final List<StoredEvent> events = new ArrayList<>();

    /**
     * Anonymous events not (yet) associated with a person, oldest first. Held by identity: a
     * record's hash walks every field, its data tree too, and hashing each anonymous event on the
     * way in and out was a tenth of the simulator's CPU in anonymous-heavy benchmarks.
     */
    private final java.util.Set<Held> anonymousEvents = new java.util.LinkedHashSet<>();

    /** An anonymous event in {@link #anonymousEvents}: equal only to itself. */
    private static final class Held {
        final StoredEvent event;

        Held(StoredEvent event) {
            this.event = event;
        }
    }

    /**
     * The same events by anonymous id, and the people by the anonymous id they took: a benchmark
     * holds hundreds of thousands of each, and scanning them for every event and identify made the
     * simulator, not the job, the bottleneck of anonymous-heavy runs.
     */
    private final Map<String, List<Held>> anonymousEventsById = new HashMap<>();

    private final Map<String, List<Record>> byAnonymousId = new HashMap<>();

    /** How far back identify associates anonymous events (Customer.io's event merging). */
    static final long MERGE_WINDOW_MS = 30L * 24 * 60 * 60 * 1000;

    /** How long after identify later anonymous events still join the person. */
    static final long LATE_MERGE_MS = 5 * 60 * 1000;

    private long nextCioId = 1;
    private long eventCount;
    final AtomicLong duplicateEvents = new AtomicLong();
    final AtomicLong attributeUpdateFailures = new AtomicLong();
    final AtomicLong staleUpdates = new AtomicLong();
    final AtomicLong peopleCreatedByDevices = new AtomicLong();
    private final LatencyHistogram probe = new LatencyHistogram();

    private final boolean allowEmailUpdatesById;

    /**
     * An "ID only" workspace (created before June 2021): email is an ordinary attribute, neither
     * unique nor an address, and changes like any attribute.
     */
    private final boolean idOnly;

    PeopleStore(int maxStoredEvents, boolean allowEmailUpdatesById) {
        this(maxStoredEvents, allowEmailUpdatesById, false);
    }

    PeopleStore(int maxStoredEvents, boolean allowEmailUpdatesById, boolean idOnly) {
        this.maxStoredEvents = maxStoredEvents;
        this.allowEmailUpdatesById = allowEmailUpdatesById;
        this.idOnly = idOnly;
    }

    synchronized void reset() {
        byCioId.clear();
        byId.clear();
        byEmail.clear();
        byPhone.clear();
        seenEventIds.clear();
        events.clear();
        anonymousEvents.clear();
        anonymousEventsById.clear();
        byAnonymousId.clear();
        nextCioId = 1;
        eventCount = 0;
        duplicateEvents.set(0);
        attributeUpdateFailures.set(0);
        staleUpdates.set(0);
        peopleCreatedByDevices.set(0);
        probe.clear();
    }

    private Record find(String kind, String value) {
        switch (kind) {
            case "id":
                return byId.get(value);
            case "email":
                // ID only: nobody is found by an attribute (not modelled further: the forwarder
                // refuses to address people by email there).
                return idOnly ? null : byEmail.get(value.toLowerCase(Locale.ROOT));
            case "cio_id":
                return byCioId.get(value.startsWith("cio_") ? value.substring(4) : value);
            case "phone":
                return byPhone.get(value);
            default:
                return null;
        }
    }

    private Record create(String kind, String value) {
        Record r = new Record(Long.toString(nextCioId++));
        byCioId.put(r.cioId, r);
        if (kind.equals("id")) {
            r.id = value;
            byId.put(value, r);
        } else if (kind.equals("email")) {
            setEmail(r, value);
        } else if (kind.equals("phone")) {
            byPhone.put(value, r);
        }
        return r;
    }

    /** Gives the person this id; their old one, if any, addresses nobody afterwards. */
    private void setId(Record r, String id) {
        if (r.id != null) {
            byId.remove(r.id);
        }
        r.id = id;
        r.idSetAtMs = System.currentTimeMillis();
        byId.put(id, r);
    }

    private void setEmail(Record r, String email) {
        r.emailSetAtMs = System.currentTimeMillis();
        if (idOnly) {
            r.email = email;
            return;
        }
        if (r.email != null) {
            byEmail.remove(r.email.toLowerCase(Locale.ROOT));
        }
        r.email = email;
        byEmail.put(email.toLowerCase(Locale.ROOT), r);
    }

    /**
     * Identify (v1 and v2): {@code fields} holds the attributes and the control fields ({@code id},
     * {@code email}, {@code created_at}, {@code unsubscribed}, {@code _update}). Every check runs
     * before anything changes, so a refused or stale update leaves the person untouched.
     */
    synchronized void identify(String kind, String value, ObjectNode fields, Long timestamp) {
        boolean updateOnly = fields.path("_update").asBoolean(false);
        String bodyId = fields.path("id").isTextual() ? fields.get("id").asText() : null;
        String bodyEmail = fields.path("email").isTextual() ? fields.get("email").asText() : null;
        Record byPath = find(kind, value);
        Record target = byPath;
        // Re-keying: an id nobody has, with an email that belongs to someone, gives that person
        // the id, whether or not they had one. Customer.io's description of PUT
        // /api/v1/customers/{identifier} (shared/spec/customerio-track-openapi.json, also
        // https://docs.customer.io/integrations/api/track/tag/track-customers/identify/): "If the
        // identifier in the path does not belong to a person but you use an identifier in your
        // request body that _does_ belong to a person, your request updates the person and
        // assigns them the identifier in the path." and "**Tip**: If your workspace identifies
        // people by both `email` and `id`, and you send an identify call with a new `id` but an
        // `email` that already belongs to someone, we update the existing person rather than
        // creating a new one. The existing person gets the new `id`." The Tip is the specific
        // rule for this case, so it wins over the general one that identifiers, once set, change
        // only through cio_id: the person's old id is freed (it addresses nobody afterwards).
        // Only where email is an identifier: in an ID-only workspace it is an attribute.
        boolean rekey = false;
        if (byPath == null && kind.equals("email") && bodyId != null) {
            // The path names nobody, but the body's id does: that person gets the path's email.
            target = byId.get(bodyId);
        } else if (byPath == null && kind.equals("id") && bodyEmail != null && !idOnly) {
            target = byEmail.get(bodyEmail.toLowerCase(Locale.ROOT));
            rekey = target != null;
            if (rekey && bodyId != null && !bodyId.equals(value)) {
                // Two different ids in one call (the path's and the body's): nothing applies.
                attributeUpdateFailures.incrementAndGet();
                return;
            }
        }
        if (target == null && (updateOnly || kind.equals("cio_id"))) {
            // _update never creates; an unknown cio_id is dropped, as Customer.io does.
            return;
        }
        if (target != null && timestamp != null && timestamp < target.newestTimestamp) {
            staleUpdates.incrementAndGet();
            return;
        }
        if (bodyId != null && target != null && !rekey && !bodyId.equals(target.id)) {
            Record owner = byId.get(bodyId);
            // An id that is set changes only through the person's cio_id. The description's
            // `id` body field: "You can set a person's ID if you identify them by email (in the
            // path); you can update this value if you identify a person by `cio_id`.", and "If
            // you want to update a person's identifiers after they are set, you must reference
            // them using their `cio_id`". So an identify by email naming another id than the
            // person's is an attribute update failure; the Tip's re-keying (above) is for an
            // identify addressed by the new id.
            boolean changesId = target.id != null && !kind.equals("cio_id");
            if ((owner != null && owner != target) || changesId) {
                // Two people named by one call: Customer.io answers 200 and logs a failure.
                attributeUpdateFailures.incrementAndGet();
                return;
            }
        }
        if (bodyEmail != null && !idOnly) {
            Record owner = byEmail.get(bodyEmail.toLowerCase(Locale.ROOT));
            if (owner != null && owner != target) {
                attributeUpdateFailures.incrementAndGet();
                return;
            }
            boolean changesEmail =
                    target != null
                            && target.email != null
                            && !target.email.equalsIgnoreCase(bodyEmail);
            if (changesEmail && !kind.equals("cio_id") && !allowEmailUpdatesById) {
                // An identifier changes only through cio_id, unless the workspace allows email
                // updates by id: Customer.io answers 200 and records an attribute update failure.
                attributeUpdateFailures.incrementAndGet();
                return;
            }
        }
        if (target == null) {
            target = create(kind, value);
        } else if (rekey) {
            setId(target, value);
        } else if (byPath == null) {
            setEmail(target, value);
        }
        if (bodyId != null && !bodyId.equals(target.id)) {
            setId(target, bodyId);
        }
        if (bodyEmail != null
                && !bodyEmail.equalsIgnoreCase(target.email == null ? "" : target.email)) {
            setEmail(target, bodyEmail);
        }
        if (timestamp != null) {
            target.newestTimestamp = Math.max(target.newestTimestamp, timestamp);
        }
        Record r = target;
        for (var it = fields.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            switch (name) {
                case "id":
                case "email":
                case "_update":
                case "_timestamp":
                    break;
                case "unsubscribed":
                    r.unsubscribed =
                            v.asBoolean(false)
                                    || v.asText().equalsIgnoreCase("true")
                                    || v.asText().equals("1");
                    break;
                case "created_at":
                    r.createdAt = v.asLong();
                    break;
                case "anonymous_id":
                    // Event merging: the person takes the anonymous events of the last 30 days
                    // with this id, and those arriving in the next five minutes.
                    if (r.anonymousId != null) {
                        List<Record> holders = byAnonymousId.get(r.anonymousId);
                        if (holders != null) {
                            holders.remove(r);
                        }
                    }
                    r.anonymousId = v.asText();
                    r.anonymousIdSetAtMs = System.currentTimeMillis();
                    byAnonymousId.computeIfAbsent(r.anonymousId, k -> new ArrayList<>()).add(r);
                    mergeAnonymousEvents(r);
                    break;
                default:
                    if (v.isTextual() && v.asText().isEmpty()) {
                        // An attribute set to an empty string is removed.
                        r.attributes.remove(name);
                    } else {
                        r.attributes.put(name, v);
                    }
            }
        }
    }

    /** Records an event; false when its id was seen before (a duplicate, ignored). */
    synchronized boolean event(
            String kind,
            String value,
            String name,
            String type,
            String id,
            Long timestamp,
            JsonNode data,
            String api) {
        Record r = find(kind, value);
        if (id != null && !seenEventIds.add(id)) {
            duplicateEvents.incrementAndGet();
            return false;
        }
        if (r == null) {
            if (kind.equals("cio_id")) {
                return true;
            }
            r = create(kind, value);
        }
        long now = System.currentTimeMillis();
        eventCount++;
        if (events.size() < maxStoredEvents) {
            events.add(
                    new StoredEvent(
                            r.cioId, r.id, r.email, name, type, id, timestamp, data, api, now));
        }
        JsonNode sent = data == null ? null : data.get("_probe_sent_ms");
        if (sent != null && sent.isNumber()) {
            probe.record(now - sent.asLong(), now);
        }
        return true;
    }

    /** Records an anonymous event; false when its id was seen before (ignored). */
    synchronized boolean anonymousEvent(
            String anonymousId,
            String name,
            String type,
            String id,
            Long timestamp,
            JsonNode data,
            String api) {
        if (id != null && !seenEventIds.add(id)) {
            duplicateEvents.incrementAndGet();
            return false;
        }
        long now = System.currentTimeMillis();
        // The earliest-created person holding this anonymous id who took it in the last five
        // minutes.
        Record taker = null;
        for (Record r : byAnonymousId.getOrDefault(anonymousId, List.of())) {
            if (byCioId.containsKey(r.cioId)
                    && now - r.anonymousIdSetAtMs <= LATE_MERGE_MS
                    && (taker == null || Long.parseLong(r.cioId) < Long.parseLong(taker.cioId))) {
                taker = r;
            }
        }
        if (taker != null) {
            eventCount++;
            if (events.size() >= maxStoredEvents) {
                return true;
            }
            events.add(
                    new StoredEvent(
                            taker.cioId,
                            taker.id,
                            taker.email,
                            name,
                            type,
                            id,
                            timestamp,
                            data,
                            api,
                            now));
            return true;
        }
        // Past the stored-events limit an anonymous event is kept without its data: it must stay
        // to be merged, but a benchmark's million anonymous events would not fit in the heap.
        JsonNode kept = events.size() + anonymousEvents.size() < maxStoredEvents ? data : null;
        StoredEvent event =
                new StoredEvent(null, anonymousId, null, name, type, id, timestamp, kept, api, now);
        Held held = new Held(event);
        anonymousEvents.add(held);
        anonymousEventsById.computeIfAbsent(anonymousId, k -> new ArrayList<>()).add(held);
        return true;
    }

    private void mergeAnonymousEvents(Record r) {
        long now = System.currentTimeMillis();
        List<Held> held = anonymousEventsById.get(r.anonymousId);
        if (held == null) {
            return;
        }
        for (var it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            StoredEvent e = h.event;
            if (now - e.receivedAtMs() <= MERGE_WINDOW_MS) {
                it.remove();
                anonymousEvents.remove(h);
                eventCount++;
                if (events.size() >= maxStoredEvents) {
                    continue;
                }
                events.add(
                        new StoredEvent(
                                r.cioId,
                                r.id,
                                r.email,
                                e.name(),
                                e.type(),
                                e.id(),
                                e.timestamp(),
                                e.data(),
                                e.api(),
                                e.receivedAtMs()));
            }
        }
    }

    /** Anonymous events no person has taken yet (they are counted in events once taken). */
    synchronized long anonymousEventCount() {
        return anonymousEvents.size();
    }

    /** Anonymous events no person has taken yet (personId holds their anonymous_id). */
    synchronized List<StoredEvent> anonymousEvents() {
        List<StoredEvent> out = new ArrayList<>(anonymousEvents.size());
        for (Held h : anonymousEvents) {
            out.add(h.event);
        }
        return out;
    }

    synchronized void delete(String kind, String value) {
        Record r = find(kind, value);
        if (r != null) {
            // Customer.io deletes the person's activity with them.
            events.removeIf(e -> e.cioId().equals(r.cioId));
            byCioId.remove(r.cioId);
            if (r.id != null) {
                byId.remove(r.id);
            }
            if (r.email != null && !idOnly) {
                byEmail.remove(r.email.toLowerCase(Locale.ROOT));
            }
        }
    }

    synchronized void suppress(String kind, String value, boolean suppressed) {
        Record r = find(kind, value);
        if (r == null && !suppressed) {
            return;
        }
        if (r == null) {
            r = create(kind, value);
        }
        r.suppressed = suppressed;
    }

    /**
     * Adds a device to the person, or updates the one with the same token (a person has each token
     * once). Stored in one shape for v1 and v2: {@code token}, {@code platform}, {@code last_used}
     * (the time of the request when not given, as Customer.io does), and {@code attributes}: those
     * given replace the device's of the same name, the others stay. A person who does not exist is
     * created, and counted: the forwarder identifies a person before adding their devices.
     */
    synchronized void addDevice(
            String kind,
            String value,
            String token,
            String platform,
            Long lastUsed,
            JsonNode attributes) {
        Record r = find(kind, value);
        if (r == null) {
            if (kind.equals("cio_id")) {
                return;
            }
            r = create(kind, value);
            peopleCreatedByDevices.incrementAndGet();
        }
        ObjectNode device = JsonNodeFactory.instance.objectNode();
        device.put("token", token);
        device.put("platform", platform);
        device.put("last_used", lastUsed != null ? lastUsed : System.currentTimeMillis() / 1000);
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        for (JsonNode d : r.devices) {
            if (token.equals(d.path("token").asText(null)) && d.path("attributes").isObject()) {
                merged.setAll((ObjectNode) d.get("attributes"));
            }
        }
        if (attributes != null && attributes.isObject()) {
            merged.setAll((ObjectNode) attributes);
        }
        if (!merged.isEmpty()) {
            device.set("attributes", merged);
        }
        r.devices.removeIf(d -> token.equals(d.path("token").asText(null)));
        r.devices.add(device);
    }

    synchronized void deleteDevice(String kind, String value, String token) {
        Record r = find(kind, value);
        if (r != null) {
            r.devices.removeIf(d -> token.equals(d.path("token").asText(null)));
        }
    }

    /**
     * Merges {@code secondary} into {@code primary}: attributes the primary lacks, then deletes it.
     */
    synchronized void merge(
            String primaryKind, String primaryValue, String secondaryKind, String secondaryValue) {
        Record primary = find(primaryKind, primaryValue);
        Record secondary = find(secondaryKind, secondaryValue);
        if (primary == null || secondary == null || primary == secondary) {
            return;
        }
        secondary.attributes.forEach(primary.attributes::putIfAbsent);
        delete(secondaryKind, secondaryValue);
    }

    synchronized List<Person> people() {
        List<Person> out = new ArrayList<>(byCioId.size());
        for (Record r : byCioId.values()) {
            out.add(r.snapshot());
        }
        return out;
    }

    synchronized Optional<Person> byId(String id) {
        return Optional.ofNullable(byId.get(id)).map(Record::snapshot);
    }

    /**
     * The person an App API look-up finds by {@code kind} ({@code id}, {@code email}, {@code
     * cio_id}).
     */
    synchronized Optional<Person> lookUp(String kind, String value) {
        return lookUp(kind, value, 0);
    }

    /**
     * The look-up as the App API answers it, {@code lagMs} behind the Track API: a person created,
     * or given this id or email, less than {@code lagMs} ago is not found yet.
     */
    synchronized Optional<Person> lookUp(String kind, String value, long lagMs) {
        Record r = find(kind, value);
        if (r == null) {
            return Optional.empty();
        }
        long since =
                switch (kind) {
                    case "id" -> r.idSetAtMs;
                    case "email" -> r.emailSetAtMs;
                    default -> r.createdAtMs;
                };
        if (System.currentTimeMillis() - since < lagMs) {
            return Optional.empty();
        }
        return Optional.of(r.snapshot());
    }

    synchronized Optional<Person> byEmail(String email) {
        if (idOnly) {
            // An attribute: the first person who has it.
            return byCioId.values().stream()
                    .filter(r -> r.email != null && r.email.equalsIgnoreCase(email))
                    .findFirst()
                    .map(Record::snapshot);
        }
        return Optional.ofNullable(byEmail.get(email.toLowerCase(Locale.ROOT)))
                .map(Record::snapshot);
    }

    synchronized List<StoredEvent> events(int limit) {
        int from = Math.max(0, events.size() - limit);
        return new ArrayList<>(events.subList(from, events.size()));
    }

    synchronized long peopleCount() {
        return byCioId.size();
    }

    synchronized long eventCount() {
        return eventCount;
    }

    synchronized Summary.LatencyProbe probe() {
        return probe.summary();
    }

    synchronized List<long[]> latencyBySecond() {
        return probe.bySecond();
    }
}
