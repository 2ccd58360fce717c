package dev.cioforwarder.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * What a {@link Refusal} sees of one operation: its v2 action name (v1 requests mapped to the same
 * names), the identifier values that address its person, and, for identify, its attribute names.
 * Read from the request as sent, before validation, as a proxy in front of Customer.io would.
 */
record TrackOperation(String action, Set<String> identifiers, Set<String> attributes) {

    private static final Set<String> PERSON_IDENTIFIERS =
            Set.of("id", "email", "cio_id", "anonymous_id", "phone");

    /** One v2 operation ({@code /entity}, or an element of {@code /batch}). */
    static TrackOperation v2(JsonNode op) {
        String action = op.path("action").asText("");
        Set<String> ids = new HashSet<>();
        // Objects and deliveries have identifiers too, but they name no person.
        if (op.path("type").asText("").equals("person")) {
            identifiers(op.path("identifiers"), ids);
            identifiers(op.path("primary"), ids); // merge
            identifiers(op.path("secondary"), ids);
            if (op.path("anonymous_id").isTextual()) {
                ids.add(op.get("anonymous_id").asText());
            }
        }
        Set<String> attributes = new HashSet<>();
        if (action.equals("identify")) {
            op.path("attributes").fieldNames().forEachRemaining(attributes::add);
        }
        return new TrackOperation(action, ids, attributes);
    }

    /**
     * A v1 request's operation; null for a request that addresses nobody (the region check, an
     * unknown path).
     *
     * @param body the parsed body, null when it is not JSON
     */
    static TrackOperation v1(String method, String rawPath, JsonNode body) {
        JsonNode json = body == null ? MissingNode.getInstance() : body;
        if (rawPath.equals("/api/v1/events") && method.equals("POST")) {
            Set<String> ids = new HashSet<>();
            if (json.path("anonymous_id").isTextual()) {
                ids.add(json.get("anonymous_id").asText());
            }
            return new TrackOperation(eventType(json), ids, Set.of());
        }
        if (rawPath.equals("/api/v1/merge_customers") && method.equals("POST")) {
            Set<String> ids = new HashSet<>();
            identifiers(json.path("primary"), ids);
            identifiers(json.path("secondary"), ids);
            return new TrackOperation("merge", ids, Set.of());
        }
        String[] s = rawPath.substring(1).split("/", -1);
        if (s.length < 4
                || !s[0].equals("api")
                || !s[1].equals("v1")
                || !s[2].equals("customers")) {
            return null;
        }
        String action = null;
        if (s.length == 4 && method.equals("PUT")) {
            action = "identify";
        } else if (s.length == 4 && method.equals("DELETE")) {
            action = "delete";
        } else if (s.length == 5 && method.equals("POST") && s[4].equals("events")) {
            action = eventType(json);
        } else if (s.length == 5 && method.equals("PUT") && s[4].equals("devices")) {
            action = "add_device";
        } else if (s.length == 6 && method.equals("DELETE") && s[4].equals("devices")) {
            action = "delete_device";
        } else if (s.length == 5
                && method.equals("POST")
                && (s[4].equals("suppress") || s[4].equals("unsuppress"))) {
            action = s[4];
        }
        if (action == null) {
            return null;
        }
        Set<String> attributes = new HashSet<>();
        if (action.equals("identify")) {
            json.fieldNames().forEachRemaining(attributes::add);
        }
        // Decoded as the simulator decodes it: a '+' in a path segment is a plus, not a space.
        String identifier = URLDecoder.decode(s[3].replace("+", "%2B"), StandardCharsets.UTF_8);
        return new TrackOperation(action, Set.of(identifier), attributes);
    }

    /** A v1 event's action: its {@code type}, {@code event} when it has none. */
    private static String eventType(JsonNode json) {
        return json.path("type").asText("event");
    }

    private static void identifiers(JsonNode identifiers, Set<String> out) {
        identifiers
                .fields()
                .forEachRemaining(
                        e -> {
                            JsonNode value = e.getValue();
                            if (!PERSON_IDENTIFIERS.contains(e.getKey())
                                    || !value.isValueNode()
                                    || value.isNull()) {
                                return;
                            }
                            out.add(value.asText());
                            // A v2 cio_id has no prefix; a rule written as v1 spells it cio_<n>.
                            if (e.getKey().equals("cio_id")) {
                                out.add("cio_" + value.asText());
                            }
                        });
    }
}
