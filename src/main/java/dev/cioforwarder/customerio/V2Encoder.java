package dev.cioforwarder.customerio;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.json.Attributes;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Track API v2 person operations ({@code identify}, {@code event}, {@code screen}, {@code
 * add_device}, {@code delete_device}), each the object that goes into {@code POST /api/v2/batch}
 * (or alone into {@code /api/v2/entity}). Event properties go into {@code attributes}, not {@code
 * data}; values keep their JSON types.
 */
final class V2Encoder extends JsonBodyWriter implements OperationEncoder {

    private final boolean anonymousEventsInBatch;

    /**
     * @param anonymousEventsInBatch anonymous events as batch operations by {@code
     *     identifiers.anonymous_id}, else as {@code POST /api/v1/events}
     */
    V2Encoder(boolean anonymousEventsInBatch) {
        this.anonymousEventsInBatch = anonymousEventsInBatch;
    }

    @Override
    public EncodedOperation identify(
            PersonIdentifier person,
            ProfileUpdate update,
            int from,
            int to,
            boolean withControlFields) {
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            writePerson(g, person);
            g.writeStringField("action", "identify");
            g.writeNumberField("timestamp", update.timestampSeconds);
            g.writeObjectFieldStart("attributes");
            writeProfileFields(g, update, from, to, withControlFields);
            g.writeEndObject();
            g.writeEndObject();
            return new EncodedOperation(null, null, finish(g), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncodedOperation event(
            PersonIdentifier person,
            OperationKind kind,
            String name,
            String ulid,
            long timestampSeconds,
            Attributes data,
            String anonymousId) {
        return eventOperation(
                person.kind().code(), person.value(), kind, name, ulid, timestampSeconds, data);
    }

    /** An event or screen of the person with this one identifier. */
    private EncodedOperation eventOperation(
            String identifierKind,
            String identifierValue,
            OperationKind kind,
            String name,
            String ulid,
            long timestampSeconds,
            Attributes data) {
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            writePerson(g, identifierKind, identifierValue);
            g.writeStringField("action", kind == OperationKind.SCREEN ? "screen" : "event");
            g.writeStringField("id", ulid);
            g.writeStringField("name", name);
            g.writeNumberField("timestamp", timestampSeconds);
            g.writeFieldName("attributes");
            int dataBytes = writeMeasuredObject(g, data);
            g.writeEndObject();
            return new EncodedOperation(null, null, finish(g), dataBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncodedOperation addDevice(
            PersonIdentifier person,
            String token,
            String platform,
            long lastUsedSeconds,
            DeviceAttributes attributes) {
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            writePerson(g, person);
            g.writeStringField("action", "add_device");
            g.writeObjectFieldStart("device");
            // v2 names the token "token"; v1 names it "id".
            g.writeStringField("token", token);
            g.writeStringField("platform", platform);
            g.writeNumberField("last_used", lastUsedSeconds);
            writeDeviceAttributes(g, attributes);
            g.writeEndObject();
            g.writeEndObject();
            return new EncodedOperation(null, null, finish(g), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncodedOperation deleteDevice(PersonIdentifier person, String token) {
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            writePerson(g, person);
            g.writeStringField("action", "delete_device");
            g.writeObjectFieldStart("device");
            g.writeStringField("token", token);
            g.writeEndObject();
            g.writeEndObject();
            return new EncodedOperation(null, null, finish(g), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writePerson(JsonGenerator g, PersonIdentifier person) throws IOException {
        writePerson(g, person.kind().code(), person.value());
    }

    private static void writePerson(JsonGenerator g, String kind, String value) throws IOException {
        g.writeStringField("type", "person");
        g.writeObjectFieldStart("identifiers");
        g.writeStringField(kind, value);
        g.writeEndObject();
    }

    @Override
    public EncodedOperation delete(PersonIdentifier person) {
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            writePerson(g, person);
            g.writeStringField("action", "delete");
            g.writeEndObject();
            return new EncodedOperation(null, null, finish(g), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncodedOperation anonymousEvent(
            OperationKind kind,
            String name,
            String ulid,
            long timestampSeconds,
            Attributes data,
            String anonymousId) {
        if (!anonymousEventsInBatch) {
            return anonymousEventV1(kind, name, ulid, timestampSeconds, data, anonymousId);
        }
        // The published description lists id, email and cio_id as v2 identifiers, but
        // Customer.io's own Segment Actions destination (trackEvent through sendBatch) and
        // RudderStack's Customer.io destination (v2 mode: {"type":"person","action":"event",
        // "identifiers":{"anonymous_id":...}} in /api/v2/batch) send anonymous events this way:
        // one request per event would let anonymous traffic exhaust the request rate.
        return eventOperation(
                "anonymous_id", anonymousId, kind, name, ulid, timestampSeconds, data);
    }
}
