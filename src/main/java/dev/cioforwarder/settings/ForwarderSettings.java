package dev.cioforwarder.settings;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.delivery.ApiKeySource;
import dev.cioforwarder.delivery.DeliverySettings;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.CreatedAtPolicy;
import dev.cioforwarder.mapping.CustomerioLimits;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mparticle.BatchParser;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Every setting of the job, with its default, validated once at start-up. A bad value fails with a
 * message naming the setting and the accepted values.
 *
 * <p>Settings come from program arguments ({@code --key value}) and an optional properties file
 * ({@code --settings FILE}, read where the job is built); arguments win. Secrets never come from
 * either: the Customer.io API key is read on the TaskManagers from an environment variable or a
 * file, and Kafka credentials from {@code kafka.properties-file}.
 */
public final class ForwarderSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every key with its default (null: required or optional without default), for the README. */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("customerio.site-id", null);
        d.put("customerio.api-key-env", "CUSTOMERIO_API_KEY");
        d.put("customerio.api-key-file", null);
        d.put("customerio.region", "us");
        d.put("customerio.endpoint", null);
        d.put("customerio.user-id-type", "prefer_customer_id");
        d.put("customerio.include-user-attributes", "true");
        d.put("customerio.send-created-at", "false");
        d.put("customerio.created-at-policy", "first-seen");
        d.put("customerio.resubscribe-on-opt-in", "false");
        d.put("customerio.update-email-by-id", "false");
        d.put("customerio.allow-message-routing-properties", "false");
        d.put("customerio.api-mode", "v2-batch");
        d.put("customerio.rate-limit", "100");
        d.put("customerio.max-in-flight", "8");
        d.put("customerio.request-timeout", "10s");
        d.put("customerio.max-retry-duration", null);
        d.put("customerio.auth-retry-interval", "60s");
        d.put("customerio.batch.max-bytes", "480000");
        d.put("customerio.batch.linger", "200ms");
        d.put("kafka.bootstrap-servers", null);
        d.put("kafka.topic", "mparticle-batches");
        d.put("kafka.group-id", "mparticle-customerio-forwarder");
        d.put("kafka.starting-offsets", "committed-or-earliest");
        d.put("kafka.properties-file", null);
        d.put("dead-letter.topic", null);
        d.put("dead-letter.transactional-id-prefix", "mparticle-customerio-dlq");
        d.put("mparticle.max-record-bytes", Integer.toString(BatchParser.DEFAULT_MAX_RECORD_BYTES));
        d.put("state.ttl", null);
        d.put("job.name", "mparticle-customerio-forwarder");
        d.put("job.max-parallelism", "720");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    /** Prefix for Kafka client properties passed through to the source and the dead-letter sink. */
    public static final String KAFKA_PROPERTY_PREFIX = "kafka.property.";

    private final Map<String, String> values;
    private final Map<String, String> kafkaProperties;
    private final MappingSettings mapping;
    private final Region region;
    private final Duration requestTimeout;
    private final Duration maxRetryDuration;
    private final Duration batchLinger;
    private final Duration authRetryInterval;
    private final Duration stateTtl;

    private ForwarderSettings(Map<String, String> values, Map<String, String> kafkaProperties) {
        this.values = values;
        this.kafkaProperties = kafkaProperties;
        required("customerio.site-id");
        required("kafka.bootstrap-servers");
        this.region = parse("customerio.region", Region::fromCode);
        this.mapping = mappingSettings(values);
        positive("customerio.rate-limit", Double.parseDouble(get("customerio.rate-limit")));
        positiveInt("customerio.max-in-flight");
        this.requestTimeout = duration("customerio.request-timeout");
        this.maxRetryDuration =
                get("customerio.max-retry-duration") == null
                        ? null
                        : duration("customerio.max-retry-duration");
        int maxBytes = positiveInt("customerio.batch.max-bytes");
        if (maxBytes > CustomerioLimits.MAX_BATCH_REQUEST_BYTES
                || maxBytes < CustomerioLimits.MAX_OPERATION_BYTES + 16) {
            throw invalid(
                    "customerio.batch.max-bytes",
                    get("customerio.batch.max-bytes"),
                    "a byte count between "
                            + (CustomerioLimits.MAX_OPERATION_BYTES + 16)
                            + " and "
                            + CustomerioLimits.MAX_BATCH_REQUEST_BYTES
                            + " (Customer.io's /batch limit)");
        }
        this.batchLinger = duration("customerio.batch.linger");
        this.authRetryInterval = duration("customerio.auth-retry-interval");
        positiveInt("mparticle.max-record-bytes");
        this.stateTtl = get("state.ttl") == null ? null : duration("state.ttl");
        positiveInt("job.max-parallelism");
        parse("kafka.starting-offsets", StartingOffsets::fromCode);
        if (topics().isEmpty()) {
            throw invalid(
                    "kafka.topic", get("kafka.topic"), "one or more topic names, comma-separated");
        }
        String endpoint = get("customerio.endpoint");
        if (endpoint != null
                && !endpoint.startsWith("http://")
                && !endpoint.startsWith("https://")) {
            throw invalid("customerio.endpoint", endpoint, "an http:// or https:// URL");
        }
        if (get("customerio.api-key-file") == null && get("customerio.api-key-env").isBlank()) {
            throw invalid(
                    "customerio.api-key-env",
                    "",
                    "the name of an environment variable holding the API key on the TaskManagers");
        }
    }

    /**
     * The mapping settings alone, validated with the same rules and messages as the job's: the
     * preview command needs no Kafka or Customer.io settings.
     */
    public static MappingSettings mappingSettings(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (Map.Entry<String, String> e : given.entrySet()) {
            checkKnown(e.getKey());
            if (!e.getKey().startsWith(KAFKA_PROPERTY_PREFIX)) {
                values.put(e.getKey(), e.getValue() == null ? null : e.getValue().trim());
            }
        }
        return MappingSettings.builder()
                .userIdType(parse(values, "customerio.user-id-type", UserIdType::fromCode))
                .includeUserAttributes(bool(values, "customerio.include-user-attributes"))
                .sendCreatedAt(bool(values, "customerio.send-created-at"))
                .createdAtPolicy(
                        parse(values, "customerio.created-at-policy", CreatedAtPolicy::fromCode))
                .resubscribeOnOptIn(bool(values, "customerio.resubscribe-on-opt-in"))
                .updateEmailById(bool(values, "customerio.update-email-by-id"))
                .allowMessageRoutingProperties(
                        bool(values, "customerio.allow-message-routing-properties"))
                .apiMode(parse(values, "customerio.api-mode", ApiMode::fromCode))
                .build();
    }

    private static void checkKnown(String key) {
        if (!key.startsWith(KAFKA_PROPERTY_PREFIX) && !DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException(
                    "unknown setting \""
                            + key
                            + "\"; known settings: "
                            + String.join(", ", DEFAULTS.keySet())
                            + ", and "
                            + KAFKA_PROPERTY_PREFIX
                            + "<kafka client property>");
        }
    }

    /** Reads {@code --key value} arguments and the optional {@code --settings FILE}. */
    public static ForwarderSettings fromArgs(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        String settingsFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(
                        "unexpected argument \"" + arg + "\": arguments are --key value pairs");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("argument " + arg + " has no value");
            }
            String key = arg.substring(2);
            String value = args[++i];
            if (key.equals("settings")) {
                settingsFile = value;
            } else {
                given.put(key, value);
            }
        }
        SecretSettings.refuseInProgramArguments(given.keySet());
        Map<String, String> merged = new LinkedHashMap<>();
        if (settingsFile != null) {
            merged.putAll(readProperties(Path.of(settingsFile), "--settings"));
        }
        merged.putAll(given);
        return fromMap(merged);
    }

    /** Builds settings from a key/value map (the preview command and tests use this). */
    public static ForwarderSettings fromMap(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            checkKnown(key);
            if (key.startsWith(KAFKA_PROPERTY_PREFIX)) {
                kafka.put(key.substring(KAFKA_PROPERTY_PREFIX.length()), e.getValue());
            } else {
                values.put(key, e.getValue() == null ? null : e.getValue().trim());
            }
        }
        if (values.get("kafka.properties-file") != null) {
            Map<String, String> fromFile =
                    readProperties(
                            Path.of(values.get("kafka.properties-file")), "kafka.properties-file");
            // The file holds credentials; explicit pass-through properties win over it.
            Map<String, String> combined = new TreeMap<>(fromFile);
            combined.putAll(kafka);
            kafka = combined;
        }
        return new ForwarderSettings(values, kafka);
    }

    private static Map<String, String> readProperties(Path file, String setting) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "setting " + setting + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            map.put(name, properties.getProperty(name));
        }
        return map;
    }

    // ---------------------------------------------------------------------------------------
    // Typed access

    public String get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting " + key);
        }
        return values.get(key);
    }

    public String siteId() {
        return get("customerio.site-id");
    }

    /** Everything the delivery step needs, in one serializable value. */
    public DeliverySettings deliverySettings() {
        return new DeliverySettings(
                trackUrl(),
                siteId(),
                apiKeySource(),
                region(),
                apiMode(),
                rateLimitPerSecond(),
                maxInFlight(),
                requestTimeout(),
                retryPolicy());
    }

    public ApiKeySource apiKeySource() {
        return new ApiKeySource(get("customerio.api-key-env"), get("customerio.api-key-file"));
    }

    public Region region() {
        return region;
    }

    /** The endpoint override, or the region's Track host. */
    public String trackUrl() {
        String endpoint = get("customerio.endpoint");
        return endpoint != null ? endpoint : region.trackUrl();
    }

    public MappingSettings mapping() {
        return mapping;
    }

    public ApiMode apiMode() {
        return mapping.apiMode();
    }

    public double rateLimitPerSecond() {
        return Double.parseDouble(get("customerio.rate-limit"));
    }

    public int maxInFlight() {
        return Integer.parseInt(get("customerio.max-in-flight"));
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Null when retries never give up (the default). */
    public Duration maxRetryDuration() {
        return maxRetryDuration;
    }

    public RetryPolicy retryPolicy() {
        return new RetryPolicy(
                Duration.ofMillis(200),
                Duration.ofSeconds(30),
                authRetryInterval,
                maxRetryDuration);
    }

    public int batchMaxBytes() {
        return Integer.parseInt(get("customerio.batch.max-bytes"));
    }

    public Duration batchLinger() {
        return batchLinger;
    }

    public String bootstrapServers() {
        return get("kafka.bootstrap-servers");
    }

    public List<String> topics() {
        List<String> topics = new ArrayList<>();
        for (String t : get("kafka.topic").split(",")) {
            if (!t.isBlank()) {
                topics.add(t.trim());
            }
        }
        return topics;
    }

    public String groupId() {
        return get("kafka.group-id");
    }

    public StartingOffsets startingOffsets() {
        return StartingOffsets.fromCode(get("kafka.starting-offsets"));
    }

    /** Kafka client properties for the source and the dead-letter sink (may hold credentials). */
    public Map<String, String> kafkaProperties() {
        return Collections.unmodifiableMap(kafkaProperties);
    }

    public String deadLetterTopic() {
        String topic = get("dead-letter.topic");
        return topic != null ? topic : topics().get(0) + ".customerio-dlq";
    }

    public String deadLetterTransactionalIdPrefix() {
        return get("dead-letter.transactional-id-prefix");
    }

    public int maxRecordBytes() {
        return Integer.parseInt(get("mparticle.max-record-bytes"));
    }

    /** Null when user state never expires (the default). */
    public Duration stateTtl() {
        return stateTtl;
    }

    public String jobName() {
        return get("job.name");
    }

    public int maxParallelism() {
        return Integer.parseInt(get("job.max-parallelism"));
    }

    /** The settings for logs and the Flink UI: no secrets, no Kafka properties' values. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue() != null) {
                sb.append(e.getKey()).append('=').append(e.getValue()).append(", ");
            }
        }
        sb.append("kafka client properties: ").append(kafkaProperties.keySet());
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------
    // Validation

    private void required(String key) {
        String value = get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("setting " + key + " is required");
        }
    }

    private <T> T parse(String key, java.util.function.Function<String, T> parser) {
        return parse(values, key, parser);
    }

    private static <T> T parse(
            Map<String, String> values, String key, java.util.function.Function<String, T> parser) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("setting " + key + " is required");
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setting " + key + ": " + e.getMessage());
        }
    }

    private static boolean bool(Map<String, String> values, String key) {
        String value = values.get(key) == null ? "" : values.get(key).toLowerCase(Locale.ROOT);
        if (value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw invalid(key, values.get(key), "true, false");
    }

    private int positiveInt(String key) {
        try {
            int value = Integer.parseInt(get(key));
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key, get(key), "a positive whole number");
    }

    private void positive(String key, double value) {
        if (!(value > 0)) {
            throw invalid(key, get(key), "a positive number");
        }
    }

    private Duration duration(String key) {
        try {
            return Durations.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, get(key), "a duration such as 500ms, 10s, 5m, 2h or 30d");
        }
    }

    private static IllegalArgumentException invalid(String key, String value, String accepted) {
        return new IllegalArgumentException(
                "setting " + key + ": \"" + value + "\" is not valid; expected " + accepted);
    }

    /** Where the Kafka source starts when the group has no committed offset. */
    public enum StartingOffsets {
        COMMITTED_OR_EARLIEST("committed-or-earliest"),
        COMMITTED_OR_LATEST("committed-or-latest"),
        EARLIEST("earliest"),
        LATEST("latest");

        private final String code;

        StartingOffsets(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static StartingOffsets fromCode(String value) {
            for (StartingOffsets s : values()) {
                if (s.code.equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
            throw new IllegalArgumentException(
                    '"'
                            + value
                            + "\" is not one of "
                            + String.join(
                                    ", ",
                                    Arrays.stream(values())
                                            .map(StartingOffsets::code)
                                            .toArray(String[]::new)));
        }
    }
}
