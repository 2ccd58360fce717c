package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.ParseFailures.expected;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Attributes;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a batch's {@code events} array into {@link MParticleBatch#events}: each event's fields,
 * then, by its {@code event_type}, which {@link EventKind} it is, whether it is kept, and which
 * types arrived that no rule forwards. A malformed event is rejected on its own (described up to
 * {@link ParseResult#MAX_DESCRIBED_EVENT_REJECTIONS}) and the rest of the batch is kept.
 *
 * <p>It also remembers what the batch needs once every field is read: each kept event's time and
 * bytes, and the identities a {@code user_identity_change} gives a batch without them.
 */
final class EventReader {

    private final JsonCursor cursor;
    private final JsonParser p;
    private final MParticleBatch batch;
    private final EventFieldReader fieldReader;
    private final List<EventRejection> rejections = new ArrayList<>(0);
    private int rejectionCount;
    private final List<String> notForwarded = new ArrayList<>(4);
    private long[] eventTimes = new long[8];
    private int eventTimeCount;
    // Where the event being read starts, and the byte range [start, end) of each event in
    // batch.events, in its order: what an event without any id is identified by (contentHash).
    private int eventStart;
    private int[] eventRanges = new int[16];
    // Only for the keyBy key of a batch without MPID and user_identities.
    private String changedCustomerId;
    private String changedEmail;

    EventReader(JsonCursor cursor, MParticleBatch batch) {
        this.cursor = cursor;
        this.p = cursor.p;
        this.batch = batch;
        this.fieldReader = new EventFieldReader(cursor);
    }

    /** The value of {@code events}: null, or an array; anything else rejects the batch. */
    void readEvents(JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            throw new ParseFailures.BatchError(
                    DeadLetterReason.EVENTS_INVALID,
                    expected("events", "an array", value, p.currentLocation()));
        }
        int position = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            readEvent(t, position++);
        }
    }

    /** The events rejected on their own, the first few described. */
    List<EventRejection> rejections() {
        return rejections;
    }

    /** How many events were rejected on their own, described or not. */
    int rejectionCount() {
        return rejectionCount;
    }

    /** The type of every event read that no rule forwards, once per event. */
    List<String> notForwarded() {
        return notForwarded;
    }

    /** The times of the events that carry one, in their order. */
    long[] eventTimes() {
        return Arrays.copyOf(eventTimes, eventTimeCount);
    }

    /** The last customer id a {@code user_identity_change} gave; null if none. */
    String changedCustomerId() {
        return changedCustomerId;
    }

    /** The last email a {@code user_identity_change} gave; null if none. */
    String changedEmail() {
        return changedEmail;
    }

    /** Hex SHA-256 (first 128 bits) of the bytes of the {@code index}th of batch.events. */
    String contentHash(int index) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        int start = eventRanges[2 * index];
        sha256.update(cursor.payload, start, eventRanges[2 * index + 1] - start);
        byte[] digest = sha256.digest();
        StringBuilder hex = new StringBuilder(32);
        for (int i = 0; i < 16; i++) {
            hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16))
                    .append(Character.forDigit(digest[i] & 0xF, 16));
        }
        return hex.toString();
    }

    /**
     * Counts a malformed event; only the first few are described, so a record of millions of broken
     * events costs a counter, not millions of objects.
     */
    private void rejectEvent(EventRejection rejection) {
        rejectionCount++;
        if (rejections.size() < ParseResult.MAX_DESCRIBED_EVENT_REJECTIONS) {
            rejections.add(rejection);
        }
    }

    private void readEvent(JsonToken token, int position) throws IOException {
        String where = "events[" + position + "]";
        if (token != JsonToken.START_OBJECT) {
            p.skipChildren();
            rejectEvent(
                    new EventRejection(
                            DeadLetterReason.EVENT_INVALID,
                            expected(where, "an object", token),
                            position));
            return;
        }
        eventStart = cursor.tokenByteOffset();
        EventFields f = fieldReader.read(where);
        if (f.error == null && f.type == null) {
            f.error = where + ".event_type: missing";
        }
        if (f.error != null) {
            rejectEvent(new EventRejection(DeadLetterReason.EVENT_INVALID, f.error, position));
            return;
        }
        if (f.type.equals("user_identity_change") && f.newError != null) {
            rejectEvent(new EventRejection(DeadLetterReason.EVENT_INVALID, f.newError, position));
            return;
        }
        if (f.timestampMs != MParticleEvent.NO_TIME) {
            if (eventTimeCount == eventTimes.length) {
                eventTimes = Arrays.copyOf(eventTimes, eventTimeCount * 2);
            }
            eventTimes[eventTimeCount++] = f.timestampMs;
        }
        switch (f.type) {
            case "custom_event":
                if (f.eventName == null) {
                    rejectEvent(
                            new EventRejection(
                                    DeadLetterReason.EVENT_INVALID,
                                    where + ".data.event_name: missing",
                                    position));
                    return;
                }
                addEvent(f, EventKind.CUSTOM_EVENT, position);
                break;
            case "screen_view":
                // screen_name is optional in mParticle's reference: the rules decide.
                addEvent(f, EventKind.SCREEN_VIEW, position);
                break;
            case "opt_out":
                // is_opted_out is optional in mParticle's reference: the rules decide.
                addEvent(f, EventKind.OPT_OUT, position);
                break;
            case "application_state_transition":
                if (f.firstRun) {
                    addEvent(f, EventKind.FIRST_RUN, position);
                }
                notForwarded.add(f.type);
                break;
            case "first_run":
                addEvent(f, EventKind.FIRST_RUN, position);
                notForwarded.add(f.type);
                break;
            case "push_registration":
                addEvent(f, EventKind.PUSH_REGISTRATION, position);
                notForwarded.add(f.type);
                break;
            case "uninstall":
                addEvent(f, EventKind.UNINSTALL, position);
                notForwarded.add(f.type);
                break;
            case "commerce_event":
                // Every part is optional: the rules decide what an event without an action
                // they know is (customerio.forward-commerce-events decides whether it counts).
                addEvent(f, EventKind.COMMERCE_EVENT, position);
                break;
            case "user_identity_change":
                if (f.newIdentityType != null) {
                    addEvent(f, EventKind.IDENTITY_CHANGE, position);
                    rememberIdentityForKey(f);
                }
                notForwarded.add(f.type);
                break;
            default:
                notForwarded.add(f.type);
        }
    }

    private void addEvent(EventFields f, EventKind kind, int position) {
        MParticleEvent event = newEvent(f, kind, position);
        switch (kind) {
            case CUSTOM_EVENT:
                event.name = f.eventName;
                break;
            case SCREEN_VIEW:
                event.name = f.screenName;
                event.activityType = f.activityType;
                break;
            case OPT_OUT:
                event.optedOut = f.optedOut;
                break;
            case PUSH_REGISTRATION:
                event.pushRegister = f.register;
                event.pushToken = f.registrationToken;
                break;
            case COMMERCE_EVENT:
                event.name = f.eventName;
                event.commerce = f.commerce != null ? f.commerce : new CommerceData();
                break;
            case IDENTITY_CHANGE:
                event.identityType = f.newIdentityType;
                event.identity =
                        f.newIdentity == null || f.newIdentity.isBlank()
                                ? null
                                : f.newIdentity.trim();
                break;
            default:
                break;
        }
        event.attributes = f.attributes != null ? f.attributes : new Attributes();
        // The parser stands on the event's closing brace: its bytes end after it.
        int index = batch.events.size();
        if (2 * index + 2 > eventRanges.length) {
            eventRanges = Arrays.copyOf(eventRanges, eventRanges.length * 2);
        }
        eventRanges[2 * index] = eventStart;
        eventRanges[2 * index + 1] = cursor.tokenByteOffset() + 1;
        batch.events.add(event);
    }

    private void rememberIdentityForKey(EventFields f) {
        if (f.newIdentity == null || f.newIdentity.isBlank()) {
            return;
        }
        if (f.newIdentityType.equalsIgnoreCase("customer_id")
                || f.newIdentityType.equalsIgnoreCase("customerid")) {
            changedCustomerId = f.newIdentity.trim();
        } else if (f.newIdentityType.equalsIgnoreCase("email")) {
            changedEmail = f.newIdentity.trim();
        }
    }

    private static MParticleEvent newEvent(EventFields f, EventKind kind, int position) {
        MParticleEvent event = new MParticleEvent();
        event.kind = kind;
        event.timestampMs = f.timestampMs;
        event.position = position;
        if (f.sourceMessageId != null && !f.sourceMessageId.isBlank()) {
            event.dedupKey = "smid:" + f.sourceMessageId;
        } else if (f.eventId != null && !f.eventId.isBlank()) {
            event.dedupKey = "eid:" + f.eventId;
        }
        return event;
    }
}
