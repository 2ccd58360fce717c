package dev.cioforwarder.customerio;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The shared mechanics of both encoders: one reusable buffer, and attribute values written with the
 * JSON type they arrived in (numbers from their exact text, lists from their JSON text), so nothing
 * is parsed or re-serialized again on the way out.
 */
abstract class JsonBodyWriter {

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);

    /** Starts a body; close the generator with {@link #finish(JsonGenerator)}. */
    protected JsonGenerator start() {
        buffer.reset();
        try {
            return Json.factory().createGenerator(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected byte[] finish(JsonGenerator g) throws IOException {
        g.close();
        return buffer.toByteArray();
    }

    /** Bytes written so far, for measuring a part of the body. */
    protected int position(JsonGenerator g) throws IOException {
        g.flush();
        return buffer.size();
    }

    /**
     * An event of a person Customer.io does not know yet: {@code POST /api/v1/events} with {@code
     * anonymous_id}, the one form the Track API has for it (v2 identifiers do not include an
     * anonymous id), sent as a request of its own in either mode.
     */
    protected EncodedOperation anonymousEventV1(
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
            g.writeStringField("anonymous_id", anonymousId);
            g.writeStringField("id", ulid);
            g.writeNumberField("timestamp", timestampSeconds);
            g.writeFieldName("data");
            int dataBytes = writeMeasuredObject(g, data);
            g.writeEndObject();
            return new EncodedOperation("POST", "/api/v1/events", finish(g), dataBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes attribute {@code index} with its own JSON type. */
    protected static void writeTyped(JsonGenerator g, Attributes attributes, int index)
            throws IOException {
        attributes.writeValue(g, index);
    }

    /**
     * The fields of an identify: {@code id} first (addressed by email, setting it gives that person
     * their Customer ID), the attributes {@code [from, to)}, then {@code created_at} and {@code
     * unsubscribed}. The control fields only when {@code withControlFields}.
     */
    protected static void writeProfileFields(
            JsonGenerator g, ProfileUpdate update, int from, int to, boolean withControlFields)
            throws IOException {
        if (withControlFields && update.attachId != null) {
            g.writeStringField("id", update.attachId);
        }
        Attributes attributes = update.attributes;
        for (int i = from; i < to; i++) {
            g.writeFieldName(attributes.name(i));
            writeTyped(g, attributes, i);
        }
        if (withControlFields && update.createdAtSeconds != null) {
            g.writeNumberField("created_at", update.createdAtSeconds);
        }
        if (withControlFields && update.unsubscribed != null) {
            g.writeBooleanField("unsubscribed", update.unsubscribed);
        }
        if (withControlFields && update.anonymousId != null) {
            g.writeStringField("anonymous_id", update.anonymousId);
        }
    }

    protected static void writeObject(JsonGenerator g, Attributes attributes) throws IOException {
        g.writeStartObject();
        if (attributes != null) {
            for (int i = 0; i < attributes.size(); i++) {
                g.writeFieldName(attributes.name(i));
                writeTyped(g, attributes, i);
            }
        }
        g.writeEndObject();
    }

    /**
     * Writes {@code attributes} as the value of the field just named and returns the size of the
     * object alone. Jackson writes the {@code :} after a field name together with the value, so it
     * is not counted: an object of exactly 100,000 bytes measures 100,000, not 100,001.
     */
    protected int writeMeasuredObject(JsonGenerator g, Attributes attributes) throws IOException {
        int before = position(g);
        writeObject(g, attributes);
        return position(g) - before - 1;
    }

    /**
     * The device's {@code attributes} object, when it has any (strings, as the description says).
     */
    protected static void writeDeviceAttributes(JsonGenerator g, DeviceAttributes a)
            throws IOException {
        if (a == null) {
            return;
        }
        g.writeObjectFieldStart("attributes");
        if (a.deviceOs != null) {
            g.writeStringField("device_os", a.deviceOs);
        }
        if (a.deviceModel != null) {
            g.writeStringField("device_model", a.deviceModel);
        }
        if (a.appVersion != null) {
            g.writeStringField("app_version", a.appVersion);
        }
        if (a.deviceLocale != null) {
            g.writeStringField("device_locale", a.deviceLocale);
        }
        g.writeEndObject();
    }
}
