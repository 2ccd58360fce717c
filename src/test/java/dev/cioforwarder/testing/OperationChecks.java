package dev.cioforwarder.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.mapping.CustomerioLimits;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a Customer.io operation must satisfy, as a list of violations (empty when it conforms)
 * so property tests can report the input that broke it: the official Track API description ({@link
 * TrackApiSpec}) and every documented limit (identifier ≤ 150 bytes, attribute names ≤ 150 and
 * values ≤ 1000, ≤ 300 attributes per identify, event name ≤ 100 bytes, event data ≤ 100,000 bytes,
 * v2 operation ≤ 32 KB, ULID ids, integer-second timestamps).
 */
public final class OperationChecks {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Fields of an identify that the forwarder sets itself, besides the attributes. */
    private static final Set<String> V1_CONTROL_FIELDS =
            Set.of("id", "created_at", "unsubscribed", "_timestamp", "anonymous_id");

    private OperationChecks() {}

    /** Limits and, when {@code againstSpec}, the official description. */
    public static List<String> violations(
            CustomerioOperation op, ApiMode mode, boolean againstSpec) {
        List<String> v = new ArrayList<>();
        if (op.kind == OperationKind.IDENTIFIER_CHANGE) {
            // Not a Track API body: delivery carries it out (App API, then cio_id).
            dev.cioforwarder.customerio.IdentifierChange change =
                    dev.cioforwarder.customerio.IdentifierChange.decode(op.body);
            checkIdentifier(change.person().value(), v);
            checkIdentifier(change.set().value(), v);
            return v;
        }
        if (op.kind == OperationKind.DELETE) {
            return deletionViolations(op, mode, againstSpec);
        }
        JsonNode body;
        try {
            body = op.body.length == 0 ? MAPPER.nullNode() : MAPPER.readTree(op.body);
        } catch (IOException e) {
            v.add("the body is not JSON: " + e.getMessage());
            return v;
        }
        // In v1 mode a person whose id a path would misread travels as a v2 /entity operation.
        boolean anonymous = "/api/v1/events".equals(op.path);
        boolean v2 = !anonymous && (mode == ApiMode.V2_BATCH || "/api/v2/entity".equals(op.path));
        // An anonymous event inside /api/v2/batch (customerio.anonymous-events-in-batch).
        boolean v2Anonymous = v2 && body.path("identifiers").has("anonymous_id");
        if (againstSpec) {
            if (anonymous) {
                v.addAll(TrackApiSpec.v1AnonymousEventViolations(op.body));
            } else if (v2Anonymous) {
                v.addAll(TrackApiSpec.v2AnonymousEventViolations(op.body));
            } else if (v2) {
                v.addAll(TrackApiSpec.violations(TrackApiSpec.V2_BATCH_ITEM, op.body));
            } else if (op.kind == OperationKind.IDENTIFY) {
                v.addAll(TrackApiSpec.v1IdentifyViolations(op.body));
            } else if (op.kind == OperationKind.ADD_DEVICE) {
                v.addAll(TrackApiSpec.violations(TrackApiSpec.V1_ADD_DEVICE, op.body));
            } else if (op.kind == OperationKind.DELETE_DEVICE) {
                // DELETE /api/v1/customers/{identifier}/devices/{device_id} takes no body.
                if (op.body.length != 0) {
                    v.add("a v1 device deletion has a body");
                }
            } else {
                v.addAll(TrackApiSpec.violations(TrackApiSpec.V1_EVENT, op.body));
            }
        }
        if (anonymous) {
            checkIdentifier(body.path("anonymous_id").asText(""), v);
            integerSeconds(body.get("timestamp"), "timestamp", v);
            checkEvent(op, body, body.path("data"), v);
        } else if (v2Anonymous) {
            checkIdentifier(body.path("identifiers").path("anonymous_id").asText(""), v);
            integerSeconds(body.get("timestamp"), "timestamp", v);
            checkEvent(op, body, body.path("attributes"), v);
        } else if (v2) {
            checkV2(op, body, v);
        } else {
            checkV1(op, body, v);
        }
        return v;
    }

    /**
     * A person's deletion (erasure): v1 {@code DELETE /api/v1/customers/{identifier}} without a
     * body, or the v2 {@code delete} action with one identifier and nothing else.
     */
    private static List<String> deletionViolations(
            CustomerioOperation op, ApiMode mode, boolean againstSpec) {
        List<String> v = new ArrayList<>();
        if ("DELETE".equals(op.method)) {
            String prefix = "/api/v1/customers/";
            if (op.path == null
                    || !op.path.startsWith(prefix)
                    || op.path.length() == prefix.length()
                    || op.path.indexOf('/', prefix.length()) >= 0) {
                v.add("a v1 person deletion is DELETE /api/v1/customers/{identifier}: " + op.path);
            }
            if (op.body.length != 0) {
                v.add("a v1 person deletion has a body");
            }
            return v;
        }
        if (againstSpec) {
            v.addAll(TrackApiSpec.violations(TrackApiSpec.V2_BATCH_ITEM, op.body));
        }
        try {
            JsonNode body = MAPPER.readTree(op.body);
            if (!"delete".equals(body.path("action").asText())) {
                v.add("a v2 person deletion has action delete: " + body);
            }
            JsonNode identifiers = body.path("identifiers");
            if (identifiers.size() != 1) {
                v.add("identifiers must hold exactly one identifier: " + identifiers);
            }
            identifiers.fields().forEachRemaining(e -> checkIdentifier(e.getValue().asText(), v));
        } catch (IOException e) {
            v.add("the body is not JSON: " + e.getMessage());
        }
        return v;
    }

    private static void checkV2(CustomerioOperation op, JsonNode body, List<String> v) {
        if (op.body.length > CustomerioLimits.MAX_OPERATION_BYTES) {
            v.add("v2 operation of " + op.body.length + " bytes");
        }
        JsonNode identifiers = body.path("identifiers");
        if (identifiers.size() != 1) {
            v.add("identifiers must hold exactly one identifier: " + identifiers);
        }
        identifiers.fields().forEachRemaining(e -> checkIdentifier(e.getValue().asText(), v));
        if (isDevice(op)) {
            // Device operations carry no timestamp; last_used says when the device was seen.
            checkDevice(op, body.path("device"), "token", v);
            return;
        }
        integerSeconds(body.get("timestamp"), "timestamp", v);
        JsonNode attributes = body.path("attributes");
        if (op.kind == OperationKind.IDENTIFY) {
            checkProfile(attributes, Set.of("id", "created_at", "unsubscribed", "anonymous_id"), v);
            if (attributes.has("created_at")) {
                integerSeconds(attributes.get("created_at"), "created_at", v);
            }
        } else {
            checkEvent(op, body, attributes, v);
        }
    }

    private static void checkV1(CustomerioOperation op, JsonNode body, List<String> v) {
        String prefix = "/api/v1/customers/";
        if (op.path == null || !op.path.startsWith(prefix)) {
            v.add("unexpected v1 path " + op.path);
            return;
        }
        String segment = op.path.substring(prefix.length());
        if (isDevice(op)) {
            checkV1Device(op, body, segment, v);
            return;
        }
        if (op.kind != OperationKind.IDENTIFY) {
            if (!segment.endsWith("/events")) {
                v.add("event path without /events: " + op.path);
            }
            segment = segment.substring(0, Math.max(0, segment.length() - "/events".length()));
        }
        if (segment.contains("/")) {
            v.add("the identifier is not one path segment: " + op.path);
        }
        checkIdentifier(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8), v);
        if (op.kind == OperationKind.IDENTIFY) {
            integerSeconds(body.get("_timestamp"), "_timestamp", v);
            if (body.has("created_at")) {
                integerSeconds(body.get("created_at"), "created_at", v);
            }
            checkProfile(body, V1_CONTROL_FIELDS, v);
            // Values keep their JSON type (see TrackApiSpec.v1IdentifyViolations), but never null.
            body.fields()
                    .forEachRemaining(
                            e -> {
                                if (e.getValue().isNull()) {
                                    v.add("v1 identify value null: " + e.getKey());
                                }
                            });
        } else {
            integerSeconds(body.get("timestamp"), "timestamp", v);
            checkEvent(op, body, body.path("data"), v);
        }
    }

    private static boolean isDevice(CustomerioOperation op) {
        return op.kind == OperationKind.ADD_DEVICE || op.kind == OperationKind.DELETE_DEVICE;
    }

    /**
     * {@code PUT /api/v1/customers/{identifier}/devices} with the device, or {@code DELETE
     * /api/v1/customers/{identifier}/devices/{token}} without a body.
     */
    private static void checkV1Device(
            CustomerioOperation op, JsonNode body, String segment, List<String> v) {
        int devices = segment.indexOf("/devices");
        if (devices < 0) {
            v.add("device path without /devices: " + op.path);
            return;
        }
        String identifier = segment.substring(0, devices);
        String rest = segment.substring(devices + "/devices".length());
        if (identifier.contains("/")) {
            v.add("the identifier is not one path segment: " + op.path);
        }
        checkIdentifier(decode(identifier), v);
        if (op.kind == OperationKind.ADD_DEVICE) {
            if (!"PUT".equals(op.method) || !rest.isEmpty()) {
                v.add("a v1 device is added with PUT .../devices: " + op.method + " " + op.path);
            }
            checkDevice(op, body.path("device"), "id", v);
        } else {
            if (!"DELETE".equals(op.method) || !rest.startsWith("/") || rest.length() < 2) {
                v.add("a v1 device is deleted with DELETE .../devices/{token}: " + op.path);
            } else if (rest.indexOf('/', 1) >= 0) {
                v.add("the token is not one path segment: " + op.path);
            }
        }
    }

    /** A device object: a non-empty token, and for an addition an accepted platform and time. */
    private static void checkDevice(
            CustomerioOperation op, JsonNode device, String tokenField, List<String> v) {
        String token = device.path(tokenField).asText("");
        if (token.isEmpty() || !token.equals(token.strip())) {
            v.add("device " + tokenField + " empty or not trimmed: " + device);
        }
        if (op.kind == OperationKind.ADD_DEVICE) {
            String platform = device.path("platform").asText("");
            if (!platform.equals("ios") && !platform.equals("android")) {
                v.add("device platform is not ios or android: " + device);
            }
            integerSeconds(device.get("last_used"), "device.last_used", v);
        }
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void checkIdentifier(String identifier, List<String> v) {
        int bytes = utf8Bytes(identifier);
        if (identifier.isEmpty() || bytes > CustomerioLimits.MAX_IDENTIFIER_BYTES) {
            v.add("identifier of " + bytes + " bytes");
        }
    }

    private static void checkProfile(JsonNode attributes, Set<String> control, List<String> v) {
        int count = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = attributes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (control.contains(e.getKey())) {
                continue;
            }
            count++;
            int nameBytes = utf8Bytes(e.getKey());
            if (nameBytes == 0 || nameBytes > CustomerioLimits.MAX_ATTRIBUTE_NAME_BYTES) {
                v.add("attribute name of " + nameBytes + " bytes");
            }
            JsonNode value = e.getValue();
            int valueBytes = value.isTextual() ? utf8Bytes(value.asText()) : jsonBytes(value);
            if (valueBytes > CustomerioLimits.MAX_ATTRIBUTE_VALUE_BYTES) {
                v.add("attribute value of " + valueBytes + " bytes");
            }
        }
        if (count > CustomerioLimits.MAX_ATTRIBUTES_PER_PERSON) {
            v.add(count + " attributes in one identify");
        }
    }

    private static void checkEvent(
            CustomerioOperation op, JsonNode body, JsonNode data, List<String> v) {
        String name = body.path("name").asText("");
        int nameBytes = utf8Bytes(name);
        if (name.isEmpty() || nameBytes > CustomerioLimits.MAX_EVENT_NAME_BYTES) {
            v.add("event name of " + nameBytes + " bytes");
        }
        if (!name.equals(name.strip())) {
            v.add("event name not trimmed");
        }
        if (jsonBytes(data) > CustomerioLimits.MAX_EVENT_DATA_BYTES) {
            v.add("event data of " + jsonBytes(data) + " bytes");
        }
        String id = body.path("id").asText(null);
        if (!Ulid.isValid(id)) {
            v.add("event id is not a ULID: " + id);
        }
        if (op.eventId == null || !op.eventId.equals(id)) {
            v.add("operation eventId " + op.eventId + " differs from the body's id " + id);
        }
    }

    private static void integerSeconds(JsonNode value, String field, List<String> v) {
        if (value == null || !value.isIntegralNumber()) {
            v.add(field + " is not an integer: " + value);
        } else if (value.asLong() < 0 || value.asLong() > (1L << 48) / 1000) {
            v.add(field + " is not a time in seconds: " + value);
        }
    }

    /**
     * The size of a value as compact JSON in UTF-8, characters outside the BMP as themselves (4
     * bytes, not a 12-byte escaped pair): what the value is, however an encoder escapes it.
     */
    private static int jsonBytes(JsonNode node) {
        return utf8Bytes(node.toString());
    }

    public static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
