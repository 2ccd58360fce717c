package dev.cioforwarder.state;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.ProfileUpdate;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.mapping.CustomerioLimits;
import dev.cioforwarder.mapping.EventNames;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.ProfileAttributeNames;
import dev.cioforwarder.mparticle.Attributes;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.mparticle.ValueType;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every mapping rule of the design, as one pure transition: given a user's state and one of their
 * batches, it returns the new state and the ordered Customer.io operations, plus what it skipped
 * and what it rejected. No Flink types: the job, the preview command and the tests run the same
 * code.
 *
 * <p>Not thread-safe: it reuses its encoder, id generator and {@link Transition}.
 */
public final class UserStateMachine {

    /** The device type recorded for batches that name none. */
    static final String UNKNOWN_DEVICE = "unknown";

    private final MappingSettings settings;
    private final OperationEncoder encoder;
    private final Ulid ulid = new Ulid();
    private final Transition transition = new Transition();
    private final Set<String> namesSeen = new HashSet<>();
    private final List<MParticleEvent> forwardable = new ArrayList<>();

    public UserStateMachine(MappingSettings settings) {
        this.settings = settings;
        this.encoder = OperationEncoder.forMode(settings.apiMode());
    }

    public MappingSettings settings() {
        return settings;
    }

    /**
     * Applies one batch.
     *
     * @param current the stored state, or null for a user seen for the first time
     * @param devices the user's device first-seen map (read and updated when created_at is on)
     */
    public Transition apply(UserState current, DeviceFirstSeen devices, MParticleBatch batch) {
        Transition t = transition;
        t.reset();
        UserState state = current == null ? new UserState() : current.copy();
        boolean worthStoring = current != null;

        if (settings.sendCreatedAt()) {
            trackDevice(state, devices, batch);
            worthStoring = true;
        }

        String customerId = usableIdentifier(batch.customerId, t);
        String email = usableIdentifier(batch.email, t);
        if (customerId != null) {
            state.customerId = customerId;
        }
        if (email != null) {
            state.email = email;
        }
        PersonIdentifier desired = desiredIdentifier(batch, state.customerId, state.email);
        if (desired == null) {
            t.skip(SkipReason.NO_IDENTITY);
            t.state = worthStoring ? state : null;
            return t;
        }

        // Sticky identity: once Customer.io knows the user by something, keep using it. The one
        // allowed change is email → id, done by an identify addressed by the email that sets id.
        PersonIdentifier address;
        String attachId = null;
        boolean newUser = state.identifier == null;
        if (newUser) {
            address = desired;
            state.identifierKind = desired.kind().code();
            state.identifier = desired.value();
        } else {
            address =
                    new PersonIdentifier(
                            PersonIdentifier.Kind.fromCode(state.identifierKind), state.identifier);
            if (address.kind() == PersonIdentifier.Kind.EMAIL
                    && desired.kind() == PersonIdentifier.Kind.ID) {
                attachId = desired.value();
            } else if (address.kind() == desired.kind() && !sameIdentifier(address, desired)) {
                t.skip(
                        address.kind() == PersonIdentifier.Kind.ID
                                ? SkipReason.IDENTIFIER_CHANGED
                                : SkipReason.EMAIL_CHANGE_NOT_APPLIED);
            }
        }

        // Opt-out evolves event by event: events before an opt-out still go, events after wait.
        boolean optedOutAtStart = state.optedOut;
        boolean optedOut = optedOutAtStart;
        Boolean unsubscribe = null;
        forwardable.clear();
        for (MParticleEvent event : batch.events) {
            if (event.kind == EventKind.OPT_OUT) {
                if (event.optedOut && !optedOut) {
                    optedOut = true;
                    unsubscribe = Boolean.TRUE;
                } else if (!event.optedOut && optedOut) {
                    optedOut = false;
                    // An app opt-in must not undo an unsubscribe made from an email link.
                    if (settings.resubscribeOnOptIn()) {
                        unsubscribe = Boolean.FALSE;
                    }
                }
            } else if (optedOut) {
                t.skip(SkipReason.OPTED_OUT);
            } else {
                forwardable.add(event);
            }
        }
        state.optedOut = optedOut;
        // A user opted out for the whole batch gets no profile update; the batch that opts out
        // still carries its profile along with the unsubscribe.
        boolean profileHeld = optedOutAtStart && optedOut;

        long batchSeconds = Math.floorDiv(batch.timestampMs, 1000);
        // A batch older than the newest identify sent (a device uploading late): Customer.io would
        // ignore its profile as stale, so the profile is not sent. What must not be lost with it
        // (an opt-out, an attached id, an earlier created_at) goes out under the newest timestamp.
        boolean late =
                state.lastIdentifySeconds != UserState.NONE
                        && batchSeconds < state.lastIdentifySeconds;
        ProfileUpdate update = new ProfileUpdate();
        buildProfile(update.attributes, address, state, batch, t);
        long fingerprint = ProfileFingerprint.of(update.attributes);
        boolean profileChanged = fingerprint != state.profileFingerprint;
        Long createdAt = settings.sendCreatedAt() ? createdAtToSend(state, devices) : null;

        if (profileHeld) {
            if (profileChanged || createdAt != null) {
                t.skip(SkipReason.PROFILE_OPTED_OUT);
            }
            // Keep addressing by email until the user is forwarded again.
            attachId = null;
            createdAt = null;
            profileChanged = false;
        } else if (late && profileChanged) {
            t.skip(SkipReason.PROFILE_LATE);
            profileChanged = false;
        }
        boolean sendAttributes = !profileHeld && (newUser || profileChanged);
        boolean sendControl = attachId != null || createdAt != null || unsubscribe != null;
        if (sendAttributes || sendControl) {
            ProfileUpdate identify = sendAttributes ? update : new ProfileUpdate();
            identify.timestampSeconds = late ? state.lastIdentifySeconds : batchSeconds;
            identify.attachId = attachId;
            identify.createdAtSeconds = createdAt;
            identify.unsubscribed = unsubscribe;
            emitIdentify(address, identify, batch, t);
            if (sendAttributes) {
                state.profileFingerprint = fingerprint;
            }
            if (createdAt != null) {
                state.createdAtSentSeconds = createdAt;
            }
            state.lastIdentifySeconds =
                    state.lastIdentifySeconds == UserState.NONE
                            ? identify.timestampSeconds
                            : Math.max(state.lastIdentifySeconds, identify.timestampSeconds);
        } else if (!profileHeld) {
            t.identifyUnchanged++;
        }
        if (attachId != null) {
            address = PersonIdentifier.id(attachId);
            state.identifierKind = address.kind().code();
            state.identifier = address.value();
        }

        for (MParticleEvent event : forwardable) {
            emitEvent(address, event, batch, t);
        }
        t.state = state;
        return t;
    }

    /** Ids are case-sensitive; Customer.io treats emails case-insensitively. */
    private static boolean sameIdentifier(PersonIdentifier a, PersonIdentifier b) {
        return a.kind() == PersonIdentifier.Kind.EMAIL
                ? a.value().equalsIgnoreCase(b.value())
                : a.value().equals(b.value());
    }

    private void trackDevice(UserState state, DeviceFirstSeen devices, MParticleBatch batch) {
        String device = batch.deviceType != null ? batch.deviceType : UNKNOWN_DEVICE;
        Long firstSeen = devices.get(device);
        if (firstSeen == null || batch.firstSeenCandidateMs < firstSeen) {
            devices.put(device, batch.firstSeenCandidateMs);
        }
        // "Last seen" follows batch time, so a late or replayed old batch does not flip it.
        if (state.lastSeenBatchTimeMs == UserState.NONE
                || batch.timestampMs >= state.lastSeenBatchTimeMs) {
            state.lastSeenDeviceType = device;
            state.lastSeenBatchTimeMs = batch.timestampMs;
        }
    }

    /** created_at of the last-seen device type, when it differs from what was last sent. */
    private static Long createdAtToSend(UserState state, DeviceFirstSeen devices) {
        if (state.lastSeenDeviceType == null) {
            return null;
        }
        Long firstSeen = devices.get(state.lastSeenDeviceType);
        if (firstSeen == null) {
            return null;
        }
        long seconds = Math.floorDiv(firstSeen, 1000);
        return seconds == state.createdAtSentSeconds ? null : seconds;
    }

    private static String usableIdentifier(String value, Transition t) {
        if (value == null) {
            return null;
        }
        if (Attributes.utf8Length(value) > CustomerioLimits.MAX_IDENTIFIER_BYTES) {
            t.skip(SkipReason.IDENTIFIER_TOO_LONG);
            return null;
        }
        return value;
    }

    private PersonIdentifier desiredIdentifier(
            MParticleBatch batch, String customerId, String email) {
        switch (settings.userIdType()) {
            case PREFER_CUSTOMER_ID:
                if (customerId != null) {
                    return PersonIdentifier.id(customerId);
                }
                return email != null ? PersonIdentifier.email(email) : null;
            case CUSTOMER_ID:
                return customerId != null ? PersonIdentifier.id(customerId) : null;
            case EMAIL:
                return email != null ? PersonIdentifier.email(email) : null;
            case MPID:
                return batch.hasMpid ? PersonIdentifier.id(Long.toString(batch.mpid)) : null;
            default:
                throw new IllegalStateException("unknown user id type");
        }
    }

    /**
     * The profile in Customer.io's names: email, first and last name always; every other user
     * attribute when enabled; removed attributes as {@code ""}; within the name and value limits.
     */
    private void buildProfile(
            Attributes out,
            PersonIdentifier address,
            UserState state,
            MParticleBatch batch,
            Transition t) {
        namesSeen.clear();
        // Addressed by email, the email is the identifier itself and cannot change through it.
        String email =
                address.kind() == PersonIdentifier.Kind.EMAIL ? address.value() : state.email;
        if (email != null) {
            out.add("email", ValueType.STRING, email);
            namesSeen.add("email");
        }
        Attributes attributes = batch.userAttributes;
        for (int i = 0; i < attributes.size(); i++) {
            String name = ProfileAttributeNames.toCustomerio(attributes.name(i));
            if (!acceptName(name, t)) {
                continue;
            }
            if (attributes.valueByteLength(i) > CustomerioLimits.MAX_ATTRIBUTE_VALUE_BYTES) {
                t.skip(SkipReason.ATTRIBUTE_VALUE_TOO_LONG);
                continue;
            }
            if (namesSeen.add(name)) {
                out.add(name, attributes.type(i), attributes.text(i));
            }
        }
        for (String deleted : batch.deletedUserAttributes) {
            String name = ProfileAttributeNames.toCustomerio(deleted);
            if (acceptName(name, t) && namesSeen.add(name)) {
                // Customer.io removes an attribute set to an empty string.
                out.add(name, ValueType.STRING, "");
            }
        }
    }

    private boolean acceptName(String name, Transition t) {
        if (!settings.includeUserAttributes() && !ProfileAttributeNames.isName(name)) {
            return false;
        }
        if (ProfileAttributeNames.isControlledByCustomerio(name)) {
            t.skip(SkipReason.ATTRIBUTE_RESERVED_NAME);
            return false;
        }
        if (name.isEmpty()
                || Attributes.utf8Length(name) > CustomerioLimits.MAX_ATTRIBUTE_NAME_BYTES) {
            t.skip(SkipReason.ATTRIBUTE_NAME_TOO_LONG);
            return false;
        }
        return true;
    }

    /**
     * Emits the identify as one operation, or several when it holds more than 300 attributes or
     * would exceed 32 KB. The first carries the control fields; when it attaches an id, the rest
     * are addressed by that id.
     */
    private void emitIdentify(
            PersonIdentifier address, ProfileUpdate update, MParticleBatch batch, Transition t) {
        Attributes attributes = update.attributes;
        int firstCapacity =
                CustomerioLimits.MAX_ATTRIBUTES_PER_IDENTIFY - update.controlFieldCount();
        int firstEnd = Math.min(attributes.size(), firstCapacity);
        emitIdentifyRange(address, update, 0, firstEnd, true, batch, t);
        PersonIdentifier rest =
                update.attachId != null ? PersonIdentifier.id(update.attachId) : address;
        for (int from = firstEnd; from < attributes.size(); ) {
            int to =
                    Math.min(
                            attributes.size(), from + CustomerioLimits.MAX_ATTRIBUTES_PER_IDENTIFY);
            emitIdentifyRange(rest, update, from, to, false, batch, t);
            from = to;
        }
        t.identifySent++;
    }

    private void emitIdentifyRange(
            PersonIdentifier address,
            ProfileUpdate update,
            int from,
            int to,
            boolean withControlFields,
            MParticleBatch batch,
            Transition t) {
        EncodedOperation encoded = encoder.identify(address, update, from, to, withControlFields);
        if (encoded.body.length > CustomerioLimits.MAX_OPERATION_BYTES && to - from > 1) {
            // Attributes are at most ~7 KB each once escaped, so halving always ends in a fit.
            int middle = (from + to) >>> 1;
            emitIdentifyRange(address, update, from, middle, withControlFields, batch, t);
            PersonIdentifier rest =
                    withControlFields && update.attachId != null
                            ? PersonIdentifier.id(update.attachId)
                            : address;
            emitIdentifyRange(rest, update, middle, to, false, batch, t);
            return;
        }
        t.operations.add(
                operation(OperationKind.IDENTIFY, encoded, null, batch.timestampMs, batch));
    }

    private void emitEvent(
            PersonIdentifier address, MParticleEvent event, MParticleBatch batch, Transition t) {
        String name = EventNames.normalize(event.name);
        String problem = EventNames.check(name);
        if (problem != null) {
            DeadLetterReason reason =
                    name.isEmpty()
                            ? DeadLetterReason.EVENT_NAME_EMPTY
                            : DeadLetterReason.EVENT_NAME_TOO_LONG;
            t.rejections.add(
                    new MappingRejection(
                            reason,
                            "events[" + event.position + "]: the name is " + problem,
                            describe(event)));
            return;
        }
        long timeMs =
                event.timestampMs != MParticleEvent.NO_TIME ? event.timestampMs : batch.timestampMs;
        String user = batch.hasMpid ? Long.toString(batch.mpid) : batch.userKey;
        String id = ulid.of(timeMs, user, event.dedupKey);
        OperationKind kind =
                event.kind == EventKind.SCREEN_VIEW ? OperationKind.SCREEN : OperationKind.EVENT;
        EncodedOperation encoded =
                encoder.event(
                        address,
                        kind,
                        name,
                        id,
                        Math.floorDiv(timeMs, 1000),
                        event.attributes,
                        user);
        if (encoded.dataBytes > CustomerioLimits.MAX_EVENT_DATA_BYTES) {
            t.rejections.add(
                    new MappingRejection(
                            DeadLetterReason.EVENT_DATA_TOO_LARGE,
                            "events["
                                    + event.position
                                    + "]: the attributes take "
                                    + encoded.dataBytes
                                    + " bytes; Customer.io accepts at most "
                                    + CustomerioLimits.MAX_EVENT_DATA_BYTES,
                            describe(event)));
            return;
        }
        if (settings.apiMode() == ApiMode.V2_BATCH
                && encoded.body.length > CustomerioLimits.MAX_OPERATION_BYTES) {
            t.rejections.add(
                    new MappingRejection(
                            DeadLetterReason.OPERATION_TOO_LARGE,
                            "events["
                                    + event.position
                                    + "]: the operation takes "
                                    + encoded.body.length
                                    + " bytes; a v2 operation must be at most "
                                    + CustomerioLimits.MAX_OPERATION_BYTES,
                            describe(event)));
            return;
        }
        t.operations.add(operation(kind, encoded, id, timeMs, batch));
        if (kind == OperationKind.SCREEN) {
            t.screensForwarded++;
        } else {
            t.eventsForwarded++;
        }
    }

    private static CustomerioOperation operation(
            OperationKind kind,
            EncodedOperation encoded,
            String eventId,
            long eventTimeMs,
            MParticleBatch batch) {
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = batch.userKey;
        op.kind = kind;
        op.method = encoded.method;
        op.path = encoded.path;
        op.body = encoded.body;
        op.eventId = eventId;
        op.eventTimeMs = eventTimeMs;
        op.mpid = batch.mpidText();
        op.sourceTopic = batch.sourceTopic;
        op.sourcePartition = batch.sourcePartition;
        op.sourceOffset = batch.sourceOffset;
        return op;
    }

    /** The rejected event as JSON for its dead letter (the original payload stays in Kafka). */
    private static String describe(MParticleEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(
                    "event_type",
                    event.kind == EventKind.SCREEN_VIEW ? "screen_view" : "custom_event");
            g.writeNumberField("position", event.position);
            g.writeStringField("name", event.name);
            if (event.timestampMs != MParticleEvent.NO_TIME) {
                g.writeNumberField("timestamp_unixtime_ms", event.timestampMs);
            }
            g.writeStringField("dedup_key", event.dedupKey);
            g.writeNumberField("attribute_count", event.attributes.size());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
