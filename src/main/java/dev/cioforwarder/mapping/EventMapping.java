package dev.cioforwarder.mapping;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.customerio.EncodedOperation;
import dev.cioforwarder.customerio.OperationEncoder;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Custom events and screen views as Customer.io events.
 *
 * <ul>
 *   <li>{@code custom_event} → {@code event}, {@code screen_view} → {@code screen}, with {@code
 *       custom_attributes} as properties, values with their JSON type.
 *   <li>A screen view without a name, or one that records leaving a screen (Android's {@code
 *       activity_type} other than {@code activity_started}), is not forwarded, and counted.
 *   <li>Names are trimmed and every space becomes {@code _}; a name empty after that, or over 100
 *       bytes, is dead-lettered, never truncated.
 *   <li>The time is the event's own, floored to seconds (the batch time when it has none); the id
 *       is a ULID derived from the MPID and the event's source id, so a replay is deduplicated.
 *       Never from the Kafka record (its time or offset), which a replay changes.
 *   <li>Properties {@code recipient}, {@code from_address} and {@code reply_to} would re-route the
 *       messages the event triggers; data from apps is untrusted, so they are renamed {@code
 *       mp_recipient}… unless {@code customerio.allow-message-routing-properties}.
 *   <li>{@code commerce_event} (customerio.forward-commerce-events) → {@code event} named and
 *       filled by {@link CommerceMapping}. One over the limits below loses products from the end
 *       until it fits, and says how many in {@code products_trimmed}.
 *   <li>Event data over 100,000 bytes, and in v2-batch mode an operation over 32 KB, is
 *       dead-lettered.
 * </ul>
 *
 * <p>Not thread-safe (reuses the encoder and id generator it is given).
 */
final class EventMapping {

    /** Event properties Customer.io reads as message addressing. */
    static final Set<String> ROUTING_PROPERTIES = Set.of("recipient", "from_address", "reply_to");

    static final String ROUTING_PREFIX = "mp_";

    private final MappingSettings settings;
    private final OperationEncoder encoder;
    private final Ulid ulid;

    EventMapping(MappingSettings settings, OperationEncoder encoder, Ulid ulid) {
        this.settings = settings;
        this.encoder = encoder;
        this.ulid = ulid;
    }

    /**
     * Whether the event is of a kind Customer.io receives: a custom event, a screen view, or a
     * commerce event. With customerio.forward-commerce-events off, commerce events never get here:
     * {@link RecordIntake} takes them out of the batch, and counts them.
     */
    static boolean isForwardable(MParticleEvent event) {
        return event.kind == EventKind.CUSTOM_EVENT
                || event.kind == EventKind.SCREEN_VIEW
                || event.kind == EventKind.COMMERCE_EVENT;
    }

    /** Why a forwardable event is not forwarded, or null when it is. */
    static SkipReason notForwarded(MParticleEvent event) {
        if (event.kind == EventKind.COMMERCE_EVENT) {
            return CommerceMapping.notForwarded(event.commerce);
        }
        if (event.kind == EventKind.SCREEN_VIEW) {
            if (event.name == null) {
                return SkipReason.SCREEN_NAME_MISSING;
            }
            if (event.activityType != null && !event.activityType.equals("activity_started")) {
                return SkipReason.SCREEN_EXIT;
            }
        }
        return null;
    }

    /** Emits the event's operation to {@code address}, or its dead letter. */
    void emit(PersonIdentifier address, MParticleEvent event, MParticleBatch batch, Transition t) {
        emit(address, null, event, batch, t);
    }

    /**
     * Emits the event of a user Customer.io does not know yet, by {@code anonymous_id} (the MPID),
     * or its dead letter (customerio.anonymous-events).
     */
    void emitAnonymous(
            String anonymousId, MParticleEvent event, MParticleBatch batch, Transition t) {
        emit(null, anonymousId, event, batch, t);
    }

    private void emit(
            PersonIdentifier address,
            String anonymousId,
            MParticleEvent event,
            MParticleBatch batch,
            Transition t) {
        boolean commerce = event.kind == EventKind.COMMERCE_EVENT;
        String name =
                commerce
                        ? CommerceMapping.name(
                                event.commerce,
                                settings.commerceEventNames(),
                                settings.commerceEventPrefix())
                        : EventNames.normalize(event.name);
        String problem = EventNames.check(name);
        if (problem != null) {
            DeadLetterReason reason =
                    name.isEmpty()
                            ? DeadLetterReason.EVENT_NAME_EMPTY
                            : DeadLetterReason.EVENT_NAME_TOO_LONG;
            reject(reason, "events[" + event.position + "]: the name is " + problem, event, t);
            return;
        }
        long timeMs = event.timeOr(batch.timestampMs);
        String user = batch.hasMpid ? Long.toString(batch.mpid) : batch.userKey;
        String id = ulid.of(idTimeMs(event, batch), user, event.dedupKey);
        OperationKind kind =
                event.kind == EventKind.SCREEN_VIEW ? OperationKind.SCREEN : OperationKind.EVENT;
        long seconds = Math.floorDiv(timeMs, 1000);
        EncodedOperation encoded;
        int trimmed = 0;
        if (commerce) {
            CommerceMapping.Data data =
                    CommerceMapping.data(event.commerce, data(event.attributes, t), t);
            int keep = data.productCount();
            encoded =
                    encode(address, anonymousId, kind, name, id, seconds, data.render(keep), user);
            while (excessBytes(encoded) > 0 && keep > 0) {
                // Drop from the end what the excess takes, and room for products_trimmed; then
                // measure again (escaping makes the estimate a lower bound, never an overshoot).
                long excess = excessBytes(encoded) + TRIMMED_FIELD_BYTES;
                while (excess > 0 && keep > 0) {
                    excess -= data.productBytes(--keep);
                }
                encoded =
                        encode(
                                address,
                                anonymousId,
                                kind,
                                name,
                                id,
                                seconds,
                                data.render(keep),
                                user);
            }
            trimmed = data.productsNotKept() + data.productCount() - keep;
        } else {
            encoded =
                    encode(
                            address,
                            anonymousId,
                            kind,
                            name,
                            id,
                            seconds,
                            data(event.attributes, t),
                            user);
        }
        if (encoded.dataBytes > CustomerioLimits.MAX_EVENT_DATA_BYTES) {
            reject(
                    DeadLetterReason.EVENT_DATA_TOO_LARGE,
                    "events["
                            + event.position
                            + "]: the attributes take "
                            + encoded.dataBytes
                            + " bytes; Customer.io accepts at most "
                            + CustomerioLimits.MAX_EVENT_DATA_BYTES,
                    event,
                    t);
            return;
        }
        if (sentAsV2Operation(encoded)
                && encoded.body.length > CustomerioLimits.MAX_OPERATION_BYTES) {
            reject(
                    DeadLetterReason.OPERATION_TOO_LARGE,
                    "events["
                            + event.position
                            + "]: the operation takes "
                            + encoded.body.length
                            + " bytes; a v2 operation must be at most "
                            + CustomerioLimits.MAX_OPERATION_BYTES,
                    event,
                    t);
            return;
        }
        t.operations.add(Operations.of(kind, encoded, id, timeMs, batch, t));
        if (address == null) {
            t.anonymousEvents++;
        }
        if (kind == OperationKind.SCREEN) {
            t.screensForwarded++;
        } else if (commerce) {
            t.commerceEventsForwarded++;
            t.commerceProductsTrimmed += trimmed;
        } else {
            t.eventsForwarded++;
        }
    }

    /**
     * The time part of the event's id: the event's own time, else the batch's; 0 when the batch
     * time is only the Kafka record time, which a replayed record does not keep (Customer.io
     * ignores the time part, but a different one would be a different id, and a duplicate).
     */
    static long idTimeMs(MParticleEvent event, MParticleBatch batch) {
        if (event.timestampMs != MParticleEvent.NO_TIME) {
            return event.timestampMs;
        }
        return batch.timestampFromRecord ? 0 : batch.timestampMs;
    }

    /** {@code "products_trimmed":12345,} at most, for products up to {@code MAX_PRODUCTS}. */
    private static final int TRIMMED_FIELD_BYTES = 26;

    private EncodedOperation encode(
            PersonIdentifier address,
            String anonymousId,
            OperationKind kind,
            String name,
            String id,
            long seconds,
            Attributes data,
            String user) {
        return address != null
                ? encoder.event(address, kind, name, id, seconds, data, user)
                : encoder.anonymousEvent(kind, name, id, seconds, data, anonymousId);
    }

    /**
     * The operation travels as a v2 operation, which must be at most 32 KB: a {@code /api/v2/batch}
     * operation (the only encoding without a path of its own: every v1 operation has one) or one
     * the v1 encoder sends to {@code /api/v2/entity}.
     */
    private boolean sentAsV2Operation(EncodedOperation encoded) {
        return encoded.path == null || encoded.sentAsV2;
    }

    /** How many bytes the operation is over the limits that apply to it; 0 or less when within. */
    private long excessBytes(EncodedOperation encoded) {
        long excess = encoded.dataBytes - (long) CustomerioLimits.MAX_EVENT_DATA_BYTES;
        if (sentAsV2Operation(encoded)) {
            excess =
                    Math.max(
                            excess,
                            encoded.body.length - (long) CustomerioLimits.MAX_OPERATION_BYTES);
        }
        return excess;
    }

    /** The properties to send: routing properties renamed unless allowed. */
    private Attributes data(Attributes attributes, Transition t) {
        if (settings.allowMessageRoutingProperties() || !hasRoutingProperty(attributes)) {
            return attributes;
        }
        Attributes renamed = Attributes.withCapacity(attributes.size());
        for (int i = 0; i < attributes.size(); i++) {
            String name = attributes.name(i);
            if (ROUTING_PROPERTIES.contains(name)) {
                t.adjust(Adjustment.EVENT_PROPERTY_RENAMED);
                String safe = ROUTING_PREFIX + name;
                if (attributes.names.contains(safe)) {
                    // The app sent both: its own mp_ property stands, the routing one is dropped.
                    continue;
                }
                name = safe;
            }
            renamed.names.add(name);
            renamed.values.add(attributes.taggedValue(i));
        }
        return renamed;
    }

    private static boolean hasRoutingProperty(Attributes attributes) {
        for (int i = 0; i < attributes.size(); i++) {
            if (ROUTING_PROPERTIES.contains(attributes.name(i))) {
                return true;
            }
        }
        return false;
    }

    private static void reject(
            DeadLetterReason reason, String detail, MParticleEvent event, Transition t) {
        t.rejections.add(new MappingRejection(reason, detail, describe(event)));
    }

    /** The rejected event as JSON for its dead letter (the original payload stays in Kafka). */
    private static String describe(MParticleEvent event) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(
                    "event_type",
                    event.kind == EventKind.SCREEN_VIEW
                            ? "screen_view"
                            : event.kind == EventKind.COMMERCE_EVENT
                                    ? "commerce_event"
                                    : "custom_event");
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
