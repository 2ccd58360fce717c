package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.OperationChecks;
import dev.cioforwarder.testing.TrackApiSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the mapping tests share: a user's life through the {@link UserStateMachine} ({@link User}),
 * the operations it emits decoded and checked against Customer.io's official description ({@link
 * Op}), and mParticle batches written as JSON ({@link Batch}, {@link Events}), so every rule is
 * tested from the input the forwarder really receives.
 */
final class MappingTestSupport {

    /** Rejects a repeated key: what Customer.io would make of one is undocumented. */
    static final ObjectMapper MAPPER =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The batch time of {@link Batch} unless set: 2025-11-28T09:00:00.500Z. */
    static final long T = 1_764_320_400_500L;

    private MappingTestSupport() {}

    /**
     * One user's life: a machine, their state, and their device map, carried from batch to batch.
     */
    static final class User {
        final UserStateMachine machine;
        final Map<String, Long> devices = new HashMap<>();

        /** Device entries written again by {@link DeviceFirstSeen#refresh}, in call order. */
        final List<String> refreshed = new ArrayList<>();

        /** Whether the device map expires entries unless refreshed (the job with state.ttl). */
        boolean devicesExpire;

        UserState state;
        Transition last;

        User(MappingSettings settings) {
            machine = new UserStateMachine(settings);
        }

        User() {
            this(MappingSettings.defaults());
        }

        /**
         * Applies a batch and returns the emitted operations, decoded and checked against the spec.
         */
        List<Op> apply(String json) {
            return apply(json, 1_000_000_000_000L);
        }

        /** {@link #apply(String)} of a Kafka record with this record time. */
        List<Op> apply(String json, long recordTimeMs) {
            ParseResult parsed =
                    new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), recordTimeMs);
            assertThat(parsed.isRejected()).as("fixture rejected: %s", parsed).isFalse();
            return apply(parsed.batch());
        }

        /** Applies an erasure request (as the erasure topic delivers it) and returns the ops. */
        List<Op> erase(ErasureRequest request) {
            return apply(MParticleBatch.ofErasure(request, "erasures", 0, 0));
        }

        /** Applies anonymous MPIDs the device index gave the user and returns the ops. */
        List<Op> stitch(AnonymousStitch stitch) {
            last = machine.applyStitch(state, stitch);
            if (last.state() != null) {
                state = last.state();
            }
            List<Op> ops = new ArrayList<>();
            for (CustomerioOperation op : last.operations()) {
                ops.add(new Op(op, machine.settings().apiMode()));
            }
            return ops;
        }

        private List<Op> apply(MParticleBatch batch) {
            last =
                    machine.apply(
                            state,
                            new DeviceFirstSeen() {
                                @Override
                                public Long get(String deviceType) {
                                    return devices.get(deviceType);
                                }

                                @Override
                                public void put(String deviceType, long firstSeenMs) {
                                    devices.put(deviceType, firstSeenMs);
                                }

                                @Override
                                public void refresh(String deviceType, long firstSeenMs) {
                                    assertThat(devices).containsEntry(deviceType, firstSeenMs);
                                    refreshed.add(deviceType);
                                }

                                @Override
                                public boolean expires() {
                                    return devicesExpire;
                                }

                                @Override
                                public void clear() {
                                    devices.clear();
                                }
                            },
                            batch);
            if (last.state() != null) {
                state = last.state();
            }
            List<Op> ops = new ArrayList<>();
            for (CustomerioOperation op : last.operations()) {
                ops.add(new Op(op, machine.settings().apiMode()));
            }
            return ops;
        }

        List<Op> apply(Batch batch) {
            return apply(batch.json());
        }
    }

    /** A decoded operation, validated against the official description on construction. */
    static final class Op {
        final CustomerioOperation raw;
        final JsonNode body;
        final ApiMode mode;

        Op(CustomerioOperation raw, ApiMode mode) {
            this.raw = raw;
            this.mode = mode;
            try {
                // A v1 device deletion has no body.
                this.body = raw.body.length == 0 ? MAPPER.nullNode() : MAPPER.readTree(raw.body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> violations;
            if (raw.kind == OperationKind.IDENTIFIER_CHANGE) {
                // Not a Track API body: delivery carries it out (App API, then cio_id).
                violations = List.of();
                IdentifierChange.decode(raw.body);
            } else if (raw.kind == OperationKind.DELETE && "DELETE".equals(raw.method)) {
                // v1: DELETE /api/v1/customers/{identifier}, without a body.
                assertThat(raw.path).startsWith("/api/v1/customers/");
                assertThat(raw.body).isEmpty();
                violations = List.of();
            } else if ("/api/v1/events".equals(raw.path)) {
                violations = TrackApiSpec.v1AnonymousEventViolations(raw.body);
            } else if (isV2() && TrackApiSpec.isV2Anonymous(raw.body)) {
                violations = TrackApiSpec.v2AnonymousEventViolations(raw.body);
            } else if (isV2()) {
                violations = TrackApiSpec.violations(TrackApiSpec.V2_BATCH_ITEM, raw.body);
            } else if (raw.kind == OperationKind.ADD_DEVICE
                    || raw.kind == OperationKind.DELETE_DEVICE) {
                violations = OperationChecks.violations(raw, mode, true);
            } else if (raw.kind == OperationKind.IDENTIFY) {
                violations = TrackApiSpec.v1IdentifyViolations(raw.body);
            } else {
                violations = TrackApiSpec.violations(TrackApiSpec.V1_EVENT, raw.body);
            }
            assertThat(violations).as("spec violations of %s", body).isEmpty();
            if (raw.eventId != null) {
                assertThat(Ulid.isValid(raw.eventId)).as("ULID %s", raw.eventId).isTrue();
                assertThat(body.get("id").asText()).isEqualTo(raw.eventId);
            }
        }

        /** A v2 operation: in v2-batch mode, or one v1 mode sends to {@code /api/v2/entity}. */
        boolean isV2() {
            return mode == ApiMode.V2_BATCH || "/api/v2/entity".equals(raw.path);
        }

        OperationKind kind() {
            return raw.kind;
        }

        /** What the state recorded as sent with it ({@code OperationEffects} bits). */
        int effects() {
            return raw.effects;
        }

        /** v2: the identifiers object as "kind:value"; v1: the decoded path identifier. */
        String person() {
            if (isV2()) {
                JsonNode ids = body.get("identifiers");
                String kind = ids.fieldNames().next();
                return kind + ":" + ids.get(kind).asText();
            }
            return raw.path;
        }

        /** The identify attributes (v2 attributes, v1 body) or the event data. */
        JsonNode attributes() {
            if (isV2()) {
                return body.get("attributes");
            }
            return raw.kind == OperationKind.IDENTIFY ? body : body.get("data");
        }

        String name() {
            return body.get("name").asText();
        }

        long timestamp() {
            if (!isV2() && raw.kind == OperationKind.IDENTIFY) {
                return body.get("_timestamp").asLong();
            }
            return body.get("timestamp").asLong();
        }

        /** "identify", or the event's name: for asserting what a batch sent, in order. */
        String label() {
            switch (raw.kind) {
                case IDENTIFY:
                    return "identify";
                case ADD_DEVICE:
                    return "add_device:" + deviceToken();
                case DELETE_DEVICE:
                    return "delete_device:" + deviceToken();
                default:
                    return name();
            }
        }

        /**
         * The token of a device operation: v2 device.token, v1 device.id or the path's last part.
         */
        String deviceToken() {
            if (isV2()) {
                return body.get("device").get("token").asText();
            }
            if (raw.kind == OperationKind.ADD_DEVICE) {
                return body.get("device").get("id").asText();
            }
            String segment = raw.path.substring(raw.path.lastIndexOf('/') + 1);
            return java.net.URLDecoder.decode(segment, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return body.toString();
        }
    }

    /** An mParticle batch in the outgoing JSON format, for MPID 7 at {@link #T} unless set. */
    static final class Batch {
        private String mpid = "7";
        private Long timeMs = T;
        private String identities;
        private String attributes;
        private String deleted;
        private String deviceInfo;
        private String applicationInfo;
        private String batchId;
        private final List<String> events = new ArrayList<>();

        static Batch batch() {
            return new Batch();
        }

        /** A batch of a user with Customer ID {@code c-1} and email {@code u@x.io}. */
        static Batch customer() {
            return new Batch().identities("{\"customer_id\":\"c-1\",\"email\":\"u@x.io\"}");
        }

        Batch mpid(String value) {
            mpid = value;
            return this;
        }

        Batch at(long batchTimeMs) {
            timeMs = batchTimeMs;
            return this;
        }

        /** The record time stands in for a batch without {@code timestamp_unixtime_ms}. */
        Batch withoutTime() {
            timeMs = null;
            return this;
        }

        /** {@code user_identities} as raw JSON: the object or the array form. */
        Batch identities(String json) {
            identities = json;
            return this;
        }

        Batch customerId(String value) {
            return identities("{\"customer_id\":" + quote(value) + "}");
        }

        Batch email(String value) {
            return identities("{\"email\":" + quote(value) + "}");
        }

        /** {@code user_attributes} as raw JSON. */
        Batch attributes(String json) {
            attributes = json;
            return this;
        }

        Batch deleted(String... names) {
            StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < names.length; i++) {
                json.append(i == 0 ? "" : ",").append(quote(names[i]));
            }
            deleted = json.append(']').toString();
            return this;
        }

        Batch platform(String value) {
            deviceInfo = "{\"platform\":" + quote(value) + "}";
            return this;
        }

        /** {@code device_info} with a platform (null: none) and a push token. */
        Batch device(String platform, String pushToken) {
            deviceInfo =
                    "{"
                            + (platform == null ? "" : "\"platform\":" + quote(platform) + ",")
                            + "\"push_token\":"
                            + quote(pushToken)
                            + "}";
            return this;
        }

        /**
         * {@code device_info} with a platform, a push token, {@code os_version}, {@code
         * device_model} and {@code locale_language}/{@code locale_country}, and {@code
         * application_info.application_version}.
         */
        Batch device(
                String platform,
                String pushToken,
                String osVersion,
                String model,
                String language,
                String country,
                String appVersion) {
            deviceInfo =
                    "{\"platform\":"
                            + quote(platform)
                            + ",\"push_token\":"
                            + quote(pushToken)
                            + ",\"os_version\":"
                            + quote(osVersion)
                            + ",\"device_model\":"
                            + quote(model)
                            + ",\"locale_language\":"
                            + quote(language)
                            + ",\"locale_country\":"
                            + quote(country)
                            + "}";
            applicationInfo = "{\"application_version\":" + quote(appVersion) + "}";
            return this;
        }

        Batch os(String value) {
            applicationInfo = "{\"os\":" + quote(value) + "}";
            return this;
        }

        Batch batchId(String value) {
            batchId = value;
            return this;
        }

        Batch events(String... json) {
            events.addAll(List.of(json));
            return this;
        }

        String json() {
            StringBuilder json = new StringBuilder("{\"mpid\":").append(mpid);
            if (timeMs != null) {
                json.append(",\"timestamp_unixtime_ms\":").append(timeMs);
            }
            field(json, "batch_id", batchId == null ? null : quote(batchId));
            field(json, "user_identities", identities);
            field(json, "user_attributes", attributes);
            field(json, "deleted_user_attributes", deleted);
            field(json, "device_info", deviceInfo);
            field(json, "application_info", applicationInfo);
            json.append(",\"events\":[").append(String.join(",", events)).append("]}");
            return json.toString();
        }

        private static void field(StringBuilder json, String name, String value) {
            if (value != null) {
                json.append(",\"").append(name).append("\":").append(value);
            }
        }

        @Override
        public String toString() {
            return json();
        }
    }

    /** Events of a batch as JSON; a null time leaves {@code timestamp_unixtime_ms} out. */
    static final class Events {

        private Events() {}

        static String custom(String name, Long timeMs, String sourceMessageId) {
            return custom(name, timeMs, sourceMessageId, null);
        }

        /** A custom event; {@code attributesJson} null leaves custom_attributes out. */
        static String custom(
                String name, Long timeMs, String sourceMessageId, String attributesJson) {
            return event(
                    "custom_event",
                    "\"event_name\":"
                            + quote(name)
                            + time(timeMs)
                            + (sourceMessageId == null
                                    ? ""
                                    : ",\"source_message_id\":" + quote(sourceMessageId))
                            + (attributesJson == null
                                    ? ""
                                    : ",\"custom_attributes\":" + attributesJson));
        }

        /** A screen view; a null name leaves screen_name out, a null activity activity_type. */
        static String screen(String name, String activityType, Long timeMs, String smid) {
            String fields =
                    (name == null ? "" : "\"screen_name\":" + quote(name) + ",")
                            + "\"source_message_id\":"
                            + quote(smid)
                            + time(timeMs)
                            + (activityType == null
                                    ? ""
                                    : ",\"activity_type\":" + quote(activityType));
            return event("screen_view", fields);
        }

        /** {@code is_opted_out} null leaves it out (mParticle: "suggested, false by default"). */
        static String optOut(Boolean optedOut, Long timeMs) {
            String fields = (optedOut == null ? "" : "\"is_opted_out\":" + optedOut) + time(timeMs);
            return event("opt_out", fields.startsWith(",") ? fields.substring(1) : fields);
        }

        static String identityChange(String type, String identity, Long timeMs) {
            return event(
                    "user_identity_change",
                    "\"new\":{\"identity_type\":"
                            + quote(type)
                            + ",\"identity\":"
                            + quote(identity)
                            + "}"
                            + time(timeMs));
        }

        static String firstRun(Long timeMs) {
            String fields = time(timeMs);
            return event("first_run", fields.isEmpty() ? "" : fields.substring(1));
        }

        static String firstRunTransition(Long timeMs) {
            return event(
                    "application_state_transition",
                    "\"application_transition_type\":\"application_initialized\","
                            + "\"is_first_run\":true"
                            + time(timeMs));
        }

        /** A {@code push_registration}; {@code register} null leaves it out. */
        static String pushRegistration(Boolean register, String token) {
            return event(
                    "push_registration",
                    (register == null ? "" : "\"register\":" + register + ",")
                            + "\"registration_token\":"
                            + quote(token));
        }

        static String uninstall() {
            return event("uninstall", "");
        }

        /** A {@code commerce_event} whose {@code data} holds {@code dataFields} (raw JSON). */
        static String commerce(String dataFields) {
            return event("commerce_event", dataFields);
        }

        /** An event no rule forwards, only its time counts (for created_at). */
        static String sessionStart(long timeMs) {
            return event("session_start", "\"timestamp_unixtime_ms\":" + timeMs);
        }

        private static String event(String type, String dataFields) {
            return "{\"event_type\":\"" + type + "\",\"data\":{" + dataFields + "}}";
        }

        private static String time(Long timeMs) {
            return timeMs == null ? "" : ",\"timestamp_unixtime_ms\":" + timeMs;
        }
    }

    /** A JSON string literal. */
    static String quote(String value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
