package dev.cioforwarder.customerio;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.mparticle.Attributes;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Track API v1: {@code PUT /api/v1/customers/{identifier}} and {@code POST
 * /api/v1/customers/{identifier}/events}, one operation per request.
 *
 * <p>Two places where the official description is stricter than Customer.io's guides, and the
 * description wins: identify attribute values may only be strings, integers or booleans, so
 * decimals and lists are sent as their text ({@code "19.99"}, {@code "[\"jazz\"]"}); and a {@code
 * screen} event must carry an {@code anonymous_id}, for which the MPID is used.
 */
final class V1Encoder extends JsonBodyWriter implements OperationEncoder {

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
            writeProfileFields(g, update, from, to, withControlFields, true);
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
}
