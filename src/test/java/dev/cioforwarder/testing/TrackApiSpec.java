package dev.cioforwarder.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates request bodies against Customer.io's official Track API description (OpenAPI 3.1,
 * {@code src/test/resources/customerio/customerio-track-openapi.json}), so tests check the encoders
 * against Customer.io's own rules rather than against our expectations only.
 */
public final class TrackApiSpec {

    private static final String SPEC = "classpath:customerio/customerio-track-openapi.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    // Plain JSON Schema 2020-12 (what OpenAPI 3.1 schemas are). The description's
    // "discriminator: action" has no mapping, and OpenAPI's implicit mapping would look for schemas
    // named "event" or "identify"; as an annotation it is ignored and "anyOf" decides.
    private static final JsonSchemaFactory FACTORY =
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().build();

    /** One operation of a {@code /api/v2/batch} body (the same objects {@code /entity} takes). */
    public static final JsonSchema V2_BATCH_ITEM =
            schema(
                    "/paths/~1api~1v2~1batch/post/requestBody/content/application~1json/schema/properties/batch/items");

    public static final JsonSchema V2_BATCH =
            schema("/paths/~1api~1v2~1batch/post/requestBody/content/application~1json/schema");

    public static final JsonSchema V1_IDENTIFY =
            schema(
                    "/paths/~1api~1v1~1customers~1{identifier}/put/requestBody/content/application~1json/schema");

    public static final JsonSchema V1_EVENT = schema("/components/schemas/eventsRequest");

    /**
     * {@code POST /api/v1/events}, an event of a person known only by anonymous id: the
     * description's three alternatives ("standard", "page view", "mobile screen view"), checked one
     * by one, because its {@code oneOf} overlaps (a screen with an anonymous_id is both a standard
     * event and a mobile screen view, so strict oneOf refuses every screen).
     */
    private static final List<JsonSchema> V1_ANONYMOUS_EVENT_ALTERNATIVES =
            List.of(
                    schema("/components/schemas/anonymousEventsRequest/oneOf/0"),
                    schema("/components/schemas/anonymousEventsRequest/oneOf/1"),
                    schema("/components/schemas/anonymousEventsRequest/oneOf/2"));

    /** Empty when the anonymous event conforms to at least one alternative of the description. */
    public static List<String> v1AnonymousEventViolations(byte[] body) {
        List<String> first = null;
        for (JsonSchema alternative : V1_ANONYMOUS_EVENT_ALTERNATIVES) {
            List<String> violations = violations(alternative, body);
            if (violations.isEmpty()) {
                return violations;
            }
            if (first == null) {
                first = violations;
            }
        }
        return first;
    }

    /**
     * Whether a v2 person operation is addressed by {@code identifiers.anonymous_id}: an anonymous
     * event in {@code /api/v2/batch}.
     */
    public static boolean isV2Anonymous(byte[] body) {
        try {
            return MAPPER.readTree(body).path("identifiers").has("anonymous_id");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A v2 anonymous event against the description, with its one known departure: the description's
     * identifiers are id, email or cio_id, but Customer.io's Segment Actions destination and
     * RudderStack's Customer.io destination send {@code {"anonymous_id": ...}} there for events and
     * screens. Every other rule of the batch item schema applies: it is checked with the
     * identifiers replaced by an id, and the anonymous id must be a non-empty string, the only
     * identifier, and the action an event or a screen.
     */
    public static List<String> v2AnonymousEventViolations(byte[] body) {
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(body);
            List<String> out = new ArrayList<>();
            JsonNode identifiers = node.path("identifiers");
            JsonNode anonymousId = identifiers.path("anonymous_id");
            if (identifiers.size() != 1
                    || !anonymousId.isTextual()
                    || anonymousId.asText().isBlank()) {
                out.add("identifiers: exactly one, a non-empty anonymous_id: " + identifiers);
            }
            String action = node.path("action").asText();
            if (!action.equals("event") && !action.equals("screen")) {
                out.add("action: an anonymous person only sends events and screens: " + action);
            }
            node.putObject("identifiers").put("id", anonymousId.asText("x"));
            out.addAll(violations(V2_BATCH_ITEM, MAPPER.writeValueAsBytes(node)));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of {@code PUT /api/v1/customers/{identifier}/devices}. */
    public static final JsonSchema V1_ADD_DEVICE =
            schema(
                    "/paths/~1api~1v1~1customers~1{identifier}~1devices/put/requestBody/content/application~1json/schema");

    private TrackApiSpec() {}

    private static JsonSchema schema(String pointer) {
        return FACTORY.getSchema(SchemaLocation.of(SPEC + "#" + pointer), CONFIG);
    }

    /** The violations of {@code body} against {@code schema}; empty when it conforms. */
    public static List<String> violations(JsonSchema schema, byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            Set<ValidationMessage> messages = schema.validate(node);
            return messages.stream()
                    .map(ValidationMessage::getMessage)
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fields of a v1 identify body that the description names; the rest are attributes. */
    private static final Set<String> V1_IDENTIFY_NAMED_FIELDS =
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

    /**
     * A v1 identify body against the description, with its one known departure: attribute values
     * may be decimals, arrays and objects. The v1 schema lists strings, integers and booleans only,
     * but Customer.io stores JSON values in attributes (its guide to JSON in segments), as v2's
     * identify schema allows; every other rule of the schema still applies.
     */
    public static List<String> v1IdentifyViolations(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node.isObject()) {
                ObjectNode copy = ((ObjectNode) node).deepCopy();
                node.fields()
                        .forEachRemaining(
                                e -> {
                                    JsonNode v = e.getValue();
                                    boolean json =
                                            v.isContainerNode()
                                                    || (v.isNumber() && !v.isIntegralNumber());
                                    if (!V1_IDENTIFY_NAMED_FIELDS.contains(e.getKey()) && json) {
                                        copy.put(e.getKey(), v.toString());
                                    }
                                });
                node = copy;
            }
            return V1_IDENTIFY.validate(node).stream()
                    .map(ValidationMessage::getMessage)
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> violations(JsonSchema schema, String body) {
        return violations(schema, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
