package dev.cioforwarder.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Track API's rules, from the official description and its documented limits. Stricter than
 * Customer.io in one place on purpose: timestamps in milliseconds are refused (Customer.io accepts
 * them, but they silently break segments, and the simulator exists to catch our mistakes).
 */
final class TrackValidation {

    static final int MAX_IDENTIFIER_BYTES = 150;
    static final int MAX_NAME_BYTES = 150;
    static final int MAX_VALUE_BYTES = 1000;
    static final int MAX_ATTRIBUTES = 300;
    static final int MAX_EVENT_NAME_BYTES = 100;
    static final int MAX_EVENT_DATA_BYTES = 100_000;
    static final int MAX_OPERATION_BYTES = 32 * 1024;
    static final int MAX_BATCH_BYTES = 500 * 1024;

    /** Anything above is a time in milliseconds (10^11 s is the year 5138). */
    static final long MAX_SECONDS = 100_000_000_000L;

    /** The v2 actions a person addressed by anonymous_id may take: activity, not a profile. */
    static final Set<String> ANONYMOUS_ACTIONS = Set.of("event", "screen", "page");

    static final Set<String> PERSON_ACTIONS =
            Set.of(
                    "identify",
                    "delete",
                    "event",
                    "screen",
                    "page",
                    "add_relationships",
                    "delete_relationships",
                    "add_device",
                    "delete_device",
                    "merge",
                    "suppress",
                    "unsuppress");

    /** The identifiers a v2 operation may address a person by (besides anonymous_id). */
    static final Set<String> PERSON_IDENTIFIERS = Set.of("id", "email", "cio_id", "phone");

    /** v2 identify attributes with a meaning of their own, not counted or limited as attributes. */
    static final Set<String> V2_IDENTIFY_CONTROL_ATTRIBUTES =
            Set.of("cio_subscription_preferences", "_update");

    /** The v1 event types. */
    static final Set<String> V1_EVENT_TYPES = Set.of("event", "page", "screen");

    /** The values a device's push_enabled attribute may take. */
    static final Set<String> PUSH_ENABLED_VALUES = Set.of("true", "false");

    /** v1 identify fields with a meaning of their own (not attributes). */
    static final Set<String> V1_IDENTIFY_FIELDS =
            Set.of(
                    "id",
                    "email",
                    "anonymous_id",
                    "created_at",
                    "_timestamp",
                    "_update",
                    "cio_relationships",
                    "unsubscribed",
                    "cio_subscription_preferences");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One rule broken: which field and why. */
    record Problem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private TrackValidation() {}

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static int jsonBytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node).length;
        } catch (Exception e) {
            return Integer.MAX_VALUE;
        }
    }

    /**
     * Whether the string is over {@code maxBytes} in UTF-8; encoded only when it could be (a char
     * takes at most 3 bytes), as nearly every name and identifier is far below its limit.
     */
    static boolean utf8Over(String s, int maxBytes) {
        return s.length() > maxBytes / 3 && utf8(s) > maxBytes;
    }

    /** The most a boolean, null or fixed-width number takes in JSON ("-1.7976931348623157E308"). */
    private static final int MAX_SCALAR_JSON_BYTES = 32;

    /**
     * Whether an attribute value is over {@code maxBytes}: a string's UTF-8, anything else's JSON.
     * Scalars that cannot reach the limit are not serialized to be measured.
     */
    static boolean valueOver(JsonNode value, int maxBytes) {
        if (value.isTextual()) {
            return utf8Over(value.asText(), maxBytes);
        }
        boolean fixedWidth =
                value.isBoolean()
                        || value.isNull()
                        || (value.isNumber() && !value.isBigInteger() && !value.isBigDecimal());
        if (fixedWidth && maxBytes >= MAX_SCALAR_JSON_BYTES) {
            return false;
        }
        return jsonBytes(value) > maxBytes;
    }

    /** Crockford's base32 alphabet, the characters of a ULID. */
    static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /**
     * Each ASCII character's value in {@link #CROCKFORD}, -1 for the others: a look-up, where
     * searching the alphabet for each of an id's 26 characters was a visible cost.
     */
    private static final byte[] CROCKFORD_VALUES = new byte[128];

    static {
        Arrays.fill(CROCKFORD_VALUES, (byte) -1);
        for (int i = 0; i < CROCKFORD.length(); i++) {
            CROCKFORD_VALUES[CROCKFORD.charAt(i)] = (byte) i;
        }
    }

    /** The character's value in Crockford's base32 (upper case only), -1 if not in it. */
    static int crockfordValue(char c) {
        return c < CROCKFORD_VALUES.length ? CROCKFORD_VALUES[c] : -1;
    }

    static boolean isUlid(String s) {
        if (s == null || s.length() != 26 || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            if (crockfordValue(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static void identifier(String field, String value, List<Problem> out) {
        if (value == null || value.isEmpty()) {
            out.add(new Problem(field, "the identifier is empty"));
        } else if (utf8Over(value, MAX_IDENTIFIER_BYTES)) {
            out.add(
                    new Problem(
                            field, "the identifier is over " + MAX_IDENTIFIER_BYTES + " bytes"));
        }
    }

    static void seconds(String field, JsonNode value, List<Problem> out) {
        if (value == null) {
            return;
        }
        if (!value.isIntegralNumber()) {
            out.add(new Problem(field, "must be an integer (Unix seconds)"));
        } else if (value.asLong() > MAX_SECONDS || value.asLong() < 0) {
            out.add(new Problem(field, "must be Unix seconds, not milliseconds"));
        }
    }

    /** Attribute names and values within the limits; v1 restricts the value types. */
    static void attributes(
            String field,
            JsonNode attributes,
            boolean v1Types,
            Set<String> skip,
            List<Problem> out) {
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = attributes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (skip.contains(e.getKey())) {
                continue;
            }
            count++;
            String name = e.getKey();
            JsonNode value = e.getValue();
            if (utf8Over(name, MAX_NAME_BYTES)) {
                out.add(
                        new Problem(
                                field + "." + name,
                                "attribute name over " + MAX_NAME_BYTES + " bytes"));
            }
            if (valueOver(value, MAX_VALUE_BYTES)) {
                out.add(
                        new Problem(
                                field + "." + name,
                                "attribute value over " + MAX_VALUE_BYTES + " bytes"));
            }
            // The description's v1 schema lists string, integer and boolean only, but Customer.io
            // stores decimals, arrays and objects (its guide to JSON in segments), as v2 does.
            if (v1Types && value.isNull()) {
                out.add(new Problem(field + "." + name, "a v1 attribute must not be null"));
            }
        }
        if (count > MAX_ATTRIBUTES) {
            out.add(
                    new Problem(
                            field, count + " attributes; at most " + MAX_ATTRIBUTES + " per call"));
        }
    }

    static void eventName(String field, JsonNode name, List<Problem> out) {
        // Customer.io trims names, so the limit applies to the trimmed name.
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            out.add(new Problem(field, "an event needs a non-empty name"));
        } else if (utf8Over(name.asText().strip(), MAX_EVENT_NAME_BYTES)) {
            out.add(new Problem(field, "event name over " + MAX_EVENT_NAME_BYTES + " bytes"));
        }
    }

    static void eventId(String field, JsonNode id, List<Problem> out) {
        if (id != null && !id.isNull() && !(id.isTextual() && isUlid(id.asText()))) {
            out.add(new Problem(field, "must be a ULID"));
        }
    }

    /**
     * @param maxBytes an upper bound of the data's size (the request's or operation's size), so the
     *     data is serialized to be measured only when it could be over the limit
     */
    static void eventData(String field, JsonNode data, int maxBytes, List<Problem> out) {
        if (data == null || data.isNull()) {
            return;
        }
        if (!data.isObject()) {
            out.add(new Problem(field, "must be an object"));
        } else if (maxBytes > MAX_EVENT_DATA_BYTES && jsonBytes(data) > MAX_EVENT_DATA_BYTES) {
            out.add(new Problem(field, "event data over " + MAX_EVENT_DATA_BYTES + " bytes"));
        }
    }

    /** A v2 person operation (what {@code /entity} takes and {@code /batch} holds). */
    static List<Problem> v2Operation(JsonNode op, int bytes) {
        List<Problem> out = new ArrayList<>();
        if (!op.isObject()) {
            out.add(new Problem("", "an operation must be an object"));
            return out;
        }
        if (bytes > MAX_OPERATION_BYTES) {
            out.add(
                    new Problem(
                            "",
                            "operation of " + bytes + " bytes; at most " + MAX_OPERATION_BYTES));
        }
        String type = op.path("type").asText("");
        if (!type.equals("person")) {
            if (type.equals("object") || type.equals("delivery")) {
                return out; // accepted and counted, not modelled
            }
            out.add(new Problem("type", "must be person, object or delivery"));
            return out;
        }
        JsonNode identifiers = op.get("identifiers");
        String action = op.path("action").asText("");
        if (identifiers == null || !identifiers.isObject() || identifiers.size() != 1) {
            out.add(new Problem("identifiers", "exactly one of id, email, cio_id, phone"));
        } else {
            Map.Entry<String, JsonNode> identifier = identifiers.fields().next();
            String kind = identifier.getKey();
            JsonNode value = identifier.getValue();
            if (kind.equals("anonymous_id") && ANONYMOUS_ACTIONS.contains(action)) {
                // Not in the published description, but what Customer.io's Segment Actions
                // destination and RudderStack send, and Customer.io stores: an anonymous event.
                if (!value.isTextual() || value.asText().isBlank()) {
                    out.add(new Problem("identifiers.anonymous_id", "must be a non-empty string"));
                }
            } else if (!PERSON_IDENTIFIERS.contains(kind)) {
                out.add(new Problem("identifiers", "unknown identifier " + kind));
            } else if (!value.isTextual()) {
                out.add(new Problem("identifiers." + kind, "must be a string"));
            } else {
                identifier("identifiers." + kind, value.asText(), out);
            }
        }
        if (!PERSON_ACTIONS.contains(action)) {
            out.add(new Problem("action", "unknown action \"" + action + "\""));
            return out;
        }
        seconds("timestamp", op.get("timestamp"), out);
        JsonNode attributes = op.get("attributes");
        if (attributes != null && !attributes.isNull() && !attributes.isObject()) {
            out.add(new Problem("attributes", "must be an object"));
            return out;
        }
        switch (action) {
            case "identify":
                if (attributes != null && attributes.isObject()) {
                    attributes(
                            "attributes", attributes, false, V2_IDENTIFY_CONTROL_ATTRIBUTES, out);
                    seconds("attributes.created_at", attributes.get("created_at"), out);
                }
                break;
            case "event":
            case "screen":
            case "page":
                eventName("name", op.get("name"), out);
                eventId("id", op.get("id"), out);
                eventData("attributes", attributes, bytes, out);
                break;
            case "add_device":
                device("device", op.get("device"), "token", true, out);
                break;
            case "delete_device":
                device("device", op.get("device"), "token", false, out);
                break;
            default:
                break;
        }
        return out;
    }

    /** The platforms the description's device object accepts. */
    static final Set<String> DEVICE_PLATFORMS = Set.of("ios", "android");

    /**
     * A device object: its token ({@code token} in v2, {@code id} in v1) a non-empty string; for an
     * addition a platform of the description's enum and {@code last_used} in seconds.
     */
    static void device(
            String field, JsonNode device, String tokenField, boolean adding, List<Problem> out) {
        if (device == null || !device.isObject()) {
            out.add(new Problem(field, "a device object is required"));
            return;
        }
        JsonNode token = device.get(tokenField);
        if (token == null || !token.isTextual() || token.asText().isEmpty()) {
            out.add(new Problem(field + "." + tokenField, "the device token is required"));
        }
        if (!adding) {
            return;
        }
        JsonNode platform = device.get("platform");
        if (platform == null || !DEVICE_PLATFORMS.contains(platform.asText())) {
            out.add(new Problem(field + ".platform", "must be ios or android"));
        }
        seconds(field + ".last_used", device.get("last_used"), out);
        JsonNode attributes = device.get("attributes");
        if (attributes != null && !attributes.isObject()) {
            out.add(new Problem(field + ".attributes", "must be an object"));
        } else if (attributes != null) {
            // The description: device attributes, its own and custom ones, are strings;
            // push_enabled is "true" or "false".
            attributes
                    .fields()
                    .forEachRemaining(
                            a -> {
                                if (!a.getValue().isTextual()) {
                                    out.add(
                                            new Problem(
                                                    field + ".attributes." + a.getKey(),
                                                    "must be a string"));
                                } else if (a.getKey().equals("push_enabled")
                                        && !PUSH_ENABLED_VALUES.contains(a.getValue().asText())) {
                                    out.add(
                                            new Problem(
                                                    field + ".attributes.push_enabled",
                                                    "must be \"true\" or \"false\""));
                                }
                            });
        }
    }

    /** {@code PUT /api/v1/customers/{identifier}/devices}. */
    static List<Problem> v1AddDevice(String identifier, JsonNode body) {
        List<Problem> out = new ArrayList<>();
        identifier("identifier", identifier, out);
        if (!body.isObject()) {
            out.add(new Problem("", "the body must be an object"));
            return out;
        }
        device("device", body.get("device"), "id", true, out);
        return out;
    }

    /** {@code DELETE /api/v1/customers/{identifier}/devices/{device_id}}. */
    static List<Problem> v1DeleteDevice(String identifier, String token) {
        List<Problem> out = new ArrayList<>();
        identifier("identifier", identifier, out);
        if (token.isEmpty()) {
            out.add(new Problem("device_id", "the device token is required"));
        }
        return out;
    }

    static List<Problem> v1Identify(String identifier, JsonNode body) {
        List<Problem> out = new ArrayList<>();
        identifier("identifier", identifier, out);
        if (!body.isObject()) {
            out.add(new Problem("", "the body must be an object"));
            return out;
        }
        JsonNode id = body.get("id");
        if (id != null && !id.isTextual()) {
            out.add(new Problem("id", "must be a string"));
        }
        JsonNode email = body.get("email");
        if (email != null && !email.isTextual()) {
            out.add(new Problem("email", "must be a string"));
        }
        seconds("created_at", body.get("created_at"), out);
        seconds("_timestamp", body.get("_timestamp"), out);
        JsonNode update = body.get("_update");
        if (update != null && !update.isBoolean()) {
            out.add(new Problem("_update", "must be a boolean"));
        }
        attributes("", body, true, V1_IDENTIFY_FIELDS, out);
        return out;
    }

    static List<Problem> v1Event(String identifier, JsonNode body, boolean anonymous) {
        List<Problem> out = new ArrayList<>();
        if (!anonymous) {
            identifier("identifier", identifier, out);
        }
        if (!body.isObject()) {
            out.add(new Problem("", "the body must be an object"));
            return out;
        }
        eventName("name", body.get("name"), out);
        eventId("id", body.get("id"), out);
        seconds("timestamp", body.get("timestamp"), out);
        eventData("data", body.get("data"), Integer.MAX_VALUE, out);
        String type = body.path("type").asText("event");
        if (!V1_EVENT_TYPES.contains(type)) {
            out.add(new Problem("type", "must be event, page or screen"));
        }
        // The description's "Mobile screen view" variant requires anonymous_id.
        boolean hasAnonymousId =
                body.path("anonymous_id").isTextual()
                        && !body.path("anonymous_id").asText().isEmpty();
        if ((type.equals("screen") || anonymous) && !hasAnonymousId) {
            out.add(
                    new Problem(
                            "anonymous_id",
                            "required for " + (anonymous ? "anonymous events" : "screen events")));
        }
        return out;
    }
}
