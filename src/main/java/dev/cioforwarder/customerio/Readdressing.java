package dev.cioforwarder.customerio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cioforwarder.json.Json;
import java.io.IOException;

/**
 * Sends an operation encoded for one identifier to another instead: what waits behind an attach or
 * an identifier change that Customer.io refused goes to the person as Customer.io still knows them.
 * A rare path (a refusal), so it parses and rewrites the JSON rather than keeping ops in a form
 * that could be encoded again.
 */
public final class Readdressing {

    private Readdressing() {}

    /**
     * {@code op} addressed to {@code to} when it is addressed to {@code from}; otherwise {@code op}
     * itself, unchanged.
     */
    public static CustomerioOperation readdress(
            CustomerioOperation op, PersonIdentifier from, PersonIdentifier to) {
        if (op.body == null
                || op.kind == OperationKind.IDENTIFIER_CHANGE
                || op.kind == OperationKind.SEAL) {
            return op;
        }
        if (op.path != null) {
            String prefix = "/api/v1/customers/" + PathSegment.encode(from.value());
            if (!(op.path.equals(prefix) || op.path.startsWith(prefix + "/"))) {
                return op;
            }
            CustomerioOperation moved = op.copy();
            moved.path =
                    "/api/v1/customers/"
                            + PathSegment.encode(to.value())
                            + op.path.substring(prefix.length());
            return moved;
        }
        try {
            JsonNode body = Json.mapper().readTree(op.body);
            JsonNode ids = body.path("identifiers");
            JsonNode current = ids.path(from.kind().code());
            if (!(body instanceof ObjectNode) || !current.isTextual() || !same(from, current)) {
                return op;
            }
            ObjectNode rewritten = ((ObjectNode) body).deepCopy();
            ObjectNode newIds = rewritten.putObject("identifiers");
            newIds.put(to.kind().code(), to.value());
            CustomerioOperation moved = op.copy();
            moved.body = Json.mapper().writeValueAsBytes(rewritten);
            return moved;
        } catch (IOException e) {
            return op;
        }
    }

    private static boolean same(PersonIdentifier from, JsonNode value) {
        return from.kind() == PersonIdentifier.Kind.EMAIL
                ? from.value().equalsIgnoreCase(value.asText())
                : from.value().equals(value.asText());
    }
}
