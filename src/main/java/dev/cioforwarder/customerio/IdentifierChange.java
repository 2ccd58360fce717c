package dev.cioforwarder.customerio;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A change of one of a person's identifiers: the person, by the identifier Customer.io knows them
 * by, and the identifier to set ({@code id} or {@code email}). Customer.io changes an identifier
 * only through the person's {@code cio_id}, which the App API looks up; delivery carries the change
 * out in those steps. This is the operation's body as it travels to delivery (it is never sent to
 * Customer.io as it is), and what its dead letter shows.
 */
public record IdentifierChange(PersonIdentifier person, PersonIdentifier set) {

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("person");
            g.writeStringField(person.kind().code(), person.value());
            g.writeEndObject();
            g.writeObjectFieldStart("set");
            g.writeStringField(set.kind().code(), set.value());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static IdentifierChange decode(byte[] body) {
        try {
            JsonNode node = Json.mapper().readTree(body);
            return new IdentifierChange(
                    identifier(node.get("person")), identifier(node.get("set")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PersonIdentifier identifier(JsonNode node) {
        String kind = node.fieldNames().next();
        return new PersonIdentifier(PersonIdentifier.Kind.fromCode(kind), node.get(kind).asText());
    }
}
