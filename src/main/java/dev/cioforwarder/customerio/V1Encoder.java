package dev.cioforwarder.customerio;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.json.Attributes;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Track API v1: {@code PUT /api/v1/customers/{identifier}}, {@code POST
 * /api/v1/customers/{identifier}/events}, {@code PUT /api/v1/customers/{identifier}/devices} and
 * {@code DELETE /api/v1/customers/{identifier}/devices/{token}}, one operation per request.
 *
 * <p>Values keep their JSON types: the description's v1 identify schema lists only strings,
 * integers and booleans, but Customer.io stores decimals, arrays and objects sent to it (its guide
 * to JSON in segments; v2's identify, the same service, declares no restriction). A {@code screen}
 * event carries an {@code anonymous_id}, which the description requires; the MPID is used.
 *
 * <p>Customer.io reads a v1 path identifier by its shape: {@code cio_…} is a cio_id, and a value
 * with {@code @} is an email. An id of either shape (or an email starting with {@code cio_}) would
 * reach another person, so such a person's operations go to {@code POST /api/v2/entity} as v2
 * operations, whose identifiers name their kind.
 */
final class V1Encoder extends JsonBodyWriter implements OperationEncoder {

    static final String ENTITY_PATH = "/api/v2/entity";

    private final V2Encoder v2 = new V2Encoder(false);

    /** Whether Customer.io would read {@code person} from a v1 path as what it is. */
    static boolean pathIsSafe(PersonIdentifier person) {
        String value = person.value();
        if (value.regionMatches(true, 0, "cio_", 0, 4)) {
            return false;
        }
        return person.kind() == PersonIdentifier.Kind.EMAIL || value.indexOf('@') < 0;
    }

    /** An empty body: a v1 {@code DELETE} carries none. */
    private static final byte[] NO_BODY = new byte[0];

    private static EncodedOperation asV2(EncodedOperation operation) {
        return new EncodedOperation("POST", ENTITY_PATH, operation.body, operation.dataBytes, true);
    }

    @Override
    public EncodedOperation identify(
            PersonIdentifier person,
            ProfileUpdate update,
            int from,
            int to,
            boolean withControlFields) {
        if (!pathIsSafe(person)) {
            return asV2(v2.identify(person, update, from, to, withControlFields));
        }
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            writeProfileFields(g, update, from, to, withControlFields);
            g.writeNumberField("_timestamp", update.timestampSeconds);
            g.writeEndObject();
            byte[] body = finish(g);
            return new EncodedOperation(
                    "PUT", "/api/v1/customers/" + PathSegment.encode(person.value()), body, 0);
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
        if (!pathIsSafe(person)) {
            return asV2(v2.event(person, kind, name, ulid, timestampSeconds, data, anonymousId));
        }
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("type", kind == OperationKind.SCREEN ? "screen" : "event");
            if (kind == OperationKind.SCREEN) {
                g.writeStringField("anonymous_id", anonymousId);
            }
            g.writeStringField("id", ulid);
            g.writeNumberField("timestamp", timestampSeconds);
            g.writeFieldName("data");
            int dataBytes = writeMeasuredObject(g, data);
            g.writeEndObject();
            byte[] body = finish(g);
            return new EncodedOperation(
                    "POST",
                    "/api/v1/customers/" + PathSegment.encode(person.value()) + "/events",
                    body,
                    dataBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncodedOperation delete(PersonIdentifier person) {
        if (!pathIsSafe(person)) {
            return asV2(v2.delete(person));
        }
        return new EncodedOperation(
                "DELETE", "/api/v1/customers/" + PathSegment.encode(person.value()), NO_BODY, 0);
    }

    @Override
    public EncodedOperation anonymousEvent(
            OperationKind kind,
            String name,
            String ulid,
            long timestampSeconds,
            Attributes data,
            String anonymousId) {
        return anonymousEventV1(kind, name, ulid, timestampSeconds, data, anonymousId);
    }

    @Override
    public EncodedOperation addDevice(
            PersonIdentifier person,
            String token,
            String platform,
            long lastUsedSeconds,
            DeviceAttributes attributes) {
        if (!pathIsSafe(person)) {
            return asV2(v2.addDevice(person, token, platform, lastUsedSeconds, attributes));
        }
        try {
            JsonGenerator g = start();
            g.writeStartObject();
            g.writeObjectFieldStart("device");
            g.writeStringField("id", token);
            g.writeStringField("platform", platform);
            g.writeNumberField("last_used", lastUsedSeconds);
            writeDeviceAttributes(g, attributes);
            g.writeEndObject();
            g.writeEndObject();
            byte[] body = finish(g);
            return new EncodedOperation(
                    "PUT",
                    "/api/v1/customers/" + PathSegment.encode(person.value()) + "/devices",
                    body,
                    0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncodedOperation deleteDevice(PersonIdentifier person, String token) {
        if (!pathIsSafe(person)) {
            return asV2(v2.deleteDevice(person, token));
        }
        return new EncodedOperation(
                "DELETE",
                "/api/v1/customers/"
                        + PathSegment.encode(person.value())
                        + "/devices/"
                        + PathSegment.encode(token),
                NO_BODY,
                0);
    }
}
