package dev.cioforwarder.customerio;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * Sends an operation encoded for one identifier to another instead: what waits behind an attach or
 * an identifier change that Customer.io refused goes to the person as Customer.io still knows them.
 * A rare path (a refusal), so it rewrites the encoded operation rather than keeping ops in a form
 * that could be encoded again. Only the addressing changes: the body is copied token by token,
 * numbers with their exact text.
 */
public final class Readdressing {

    private Readdressing() {}

    /**
     * {@code op} addressed to {@code to} when it is addressed to {@code from}; otherwise {@code op}
     * itself, unchanged. Never changes {@code op}.
     */
    public static CustomerioOperation readdress(
            CustomerioOperation op, PersonIdentifier from, PersonIdentifier to) {
        if (op.body == null
                || op.kind == OperationKind.IDENTIFIER_CHANGE
                || op.kind == OperationKind.SEAL) {
            return op;
        }
        if (op.path == null || V1Encoder.ENTITY_PATH.equals(op.path)) {
            // A v2 operation: in a /batch, or alone (v1 mode sends some people's as v2).
            byte[] body = rewriteIdentifiers(op.body, from, to);
            if (body == null) {
                return op;
            }
            CustomerioOperation moved = op.copy();
            moved.body = body;
            return moved;
        }
        return readdressPath(op, from, to);
    }

    private static CustomerioOperation readdressPath(
            CustomerioOperation op, PersonIdentifier from, PersonIdentifier to) {
        String prefix = "/api/v1/customers/" + PathSegment.encode(from.value());
        String path = op.path;
        boolean matches =
                from.kind() == PersonIdentifier.Kind.EMAIL
                        ? path.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))
                        : path.startsWith(prefix);
        if (!matches
                || !(path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
            return op;
        }
        if (!V1Encoder.pathIsSafe(to)) {
            // Cannot happen for what the forwarder moves back: the identifier it moves to
            // addressed these operations by path before, so its shape is safe there.
            return op;
        }
        CustomerioOperation moved = op.copy();
        moved.path =
                "/api/v1/customers/"
                        + PathSegment.encode(to.value())
                        + path.substring(prefix.length());
        return moved;
    }

    /** The body with {@code identifiers} replaced, or null when it is not addressed to from. */
    private static byte[] rewriteIdentifiers(
            byte[] body, PersonIdentifier from, PersonIdentifier to) {
        try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 32);
            boolean addressedToFrom = false;
            try (JsonGenerator g = Json.mapper().getFactory().createGenerator(out)) {
                g.writeStartObject();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("identifiers") && p.currentToken() == JsonToken.START_OBJECT) {
                        addressedToFrom = isAddressedTo(p, from);
                        g.writeObjectFieldStart("identifiers");
                        g.writeStringField(to.kind().code(), to.value());
                        g.writeEndObject();
                    } else {
                        g.writeFieldName(field);
                        copyValueExact(p, g);
                    }
                }
                g.writeEndObject();
            }
            return addressedToFrom ? out.toByteArray() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Copies the value at the parser's token, every number with its exact text. */
    private static void copyValueExact(JsonParser p, JsonGenerator g) throws IOException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
            copyToken(p, g);
            return;
        }
        int depth = 0;
        do {
            t = p.currentToken();
            copyToken(p, g);
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            }
        } while (depth > 0 && p.nextToken() != null);
    }

    private static void copyToken(JsonParser p, JsonGenerator g) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            // As written: the parser keeps number text exactly, and so does the rest of the job.
            g.writeNumber(p.getText());
        } else {
            g.copyCurrentEvent(p);
        }
    }

    /** Reads the identifiers object; whether it names {@code from} (and only it). */
    private static boolean isAddressedTo(JsonParser p, PersonIdentifier from) throws IOException {
        boolean match = false;
        int fields = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String kind = p.currentName();
            p.nextToken();
            fields++;
            if (kind.equals(from.kind().code()) && p.currentToken() == JsonToken.VALUE_STRING) {
                String value = p.getText();
                match =
                        from.kind() == PersonIdentifier.Kind.EMAIL
                                ? from.value().equalsIgnoreCase(value)
                                : from.value().equals(value);
            } else {
                p.skipChildren();
            }
        }
        return match && fields == 1;
    }
}
