package dev.cioforwarder.settings;

import dev.cioforwarder.codes.Coded;
import dev.cioforwarder.codes.Codes;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.delivery.ApiKeySource;
import dev.cioforwarder.delivery.DeliverySettings;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.CustomerioLimits;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.UserIdType;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of the job ({@link ForwarderOptions}), read from its sources and validated once at
 * start-up. A bad value fails with a message naming the setting and the accepted values.
 *
 * <p>Settings come from program arguments ({@code --key value}) and an optional properties file
 * ({@code --settings FILE}, read where the job is built); arguments win. Secrets never come from
 * either ({@link SecretSettings}): the Customer.io API key is read on the TaskManagers from an
 * environment variable or a file, and Kafka credentials from {@code kafka.properties-file}.
 */
public final class ForwarderSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Every key with its default as text (null: required, or optional without default). */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        for (ConfigOption<?> option : ForwarderOptions.ALL) {
            d.put(option.key(), option.hasDefaultValue() ? text(option.defaultValue()) : null);
        }
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    /** Prefix for Kafka client properties passed through to the source and the dead-letter sink. */
    public static final String KAFKA_PROPERTY_PREFIX = "kafka.property.";

    private static final String DURATION =
            "a duration with its unit, such as 500ms, 10s, 5m, 2h or 30d";

    private final Configuration config;
    private final Map<String, String> kafkaProperties;
    private final MappingSettings mapping;

    private ForwarderSettings(Configuration config, Map<String, String> kafkaProperties) {
        this.config = config;
        this.kafkaProperties = kafkaProperties;
        required(ForwarderOptions.SITE_ID);
        required(ForwarderOptions.BOOTSTRAP_SERVERS);
        read(config, ForwarderOptions.REGION, Codes.accepted(Region.class));
        this.mapping = mappingSettings(config);
        double rate = read(config, ForwarderOptions.RATE_LIMIT, "a positive number");
        if (!(rate > 0)) {
            throw invalid(ForwarderOptions.RATE_LIMIT, text(rate), "a positive number");
        }
        positiveInt(ForwarderOptions.MAX_IN_FLIGHT);
        duration(ForwarderOptions.REQUEST_TIMEOUT);
        duration(ForwarderOptions.MAX_RETRY_DURATION);
        int maxBytes = positiveInt(ForwarderOptions.BATCH_MAX_BYTES);
        if (maxBytes > CustomerioLimits.MAX_BATCH_REQUEST_BYTES
                || maxBytes < CustomerioLimits.MAX_OPERATION_BYTES + 16) {
            throw invalid(
                    ForwarderOptions.BATCH_MAX_BYTES,
                    Integer.toString(maxBytes),
                    "a byte count between "
                            + (CustomerioLimits.MAX_OPERATION_BYTES + 16)
                            + " and "
                            + CustomerioLimits.MAX_BATCH_REQUEST_BYTES
                            + " (Customer.io's /batch limit)");
        }
        duration(ForwarderOptions.BATCH_LINGER);
        duration(ForwarderOptions.AUTH_RETRY_INTERVAL);
        duration(ForwarderOptions.IN_SLOT_RETRY);
        duration(ForwarderOptions.UNEXPECTED_STATUS_RETRY);
        zeroOrPositive(config, ForwarderOptions.APP_API_LAG_GRACE);
        long capacity = read(config, ForwarderOptions.WAITING_CAPACITY, "a positive whole number");
        if (capacity <= 0) {
            throw invalid(
                    ForwarderOptions.WAITING_CAPACITY,
                    Long.toString(capacity),
                    "a positive whole number");
        }
        positiveInt(ForwarderOptions.MAX_RECORD_BYTES);
        duration(ForwarderOptions.STATE_TTL);
        positiveInt(ForwarderOptions.MAX_PARALLELISM);
        read(config, ForwarderOptions.STARTING_OFFSETS, Codes.accepted(StartingOffsets.class));
        if (topics().isEmpty()) {
            throw invalid(
                    ForwarderOptions.TOPIC,
                    config.get(ForwarderOptions.TOPIC),
                    "one or more topic names, comma-separated");
        }
        String endpoint = config.get(ForwarderOptions.ENDPOINT);
        if (endpoint != null
                && !endpoint.startsWith("http://")
                && !endpoint.startsWith("https://")) {
            throw invalid(ForwarderOptions.ENDPOINT, endpoint, "an http:// or https:// URL");
        }
        if (config.get(ForwarderOptions.API_KEY_FILE) == null
                && config.get(ForwarderOptions.API_KEY_ENV).isBlank()) {
            throw invalid(
                    ForwarderOptions.API_KEY_ENV,
                    "",
                    "the name of an environment variable holding the API key on the TaskManagers");
        }
    }

    /**
     * The mapping settings alone, validated with the same rules and messages as the job's: the
     * preview command needs no Kafka or Customer.io settings.
     */
    public static MappingSettings mappingSettings(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            checkKnown(e.getKey());
            if (!e.getKey().startsWith(KAFKA_PROPERTY_PREFIX) && e.getValue() != null) {
                values.put(e.getKey(), e.getValue().trim());
            }
        }
        return mappingSettings(Configuration.fromMap(values));
    }

    private static MappingSettings mappingSettings(Configuration config) {
        MappingSettings mapping =
                MappingSettings.builder()
                        .userIdType(
                                read(
                                        config,
                                        ForwarderOptions.USER_ID_TYPE,
                                        Codes.accepted(UserIdType.class)))
                        .includeUserAttributes(
                                bool(config, ForwarderOptions.INCLUDE_USER_ATTRIBUTES))
                        .sendCreatedAt(bool(config, ForwarderOptions.SEND_CREATED_AT))
                        .createdAtPolicy(
                                read(
                                        config,
                                        ForwarderOptions.CREATED_AT_POLICY,
                                        Codes.accepted(
                                                dev.cioforwarder.mapping.CreatedAtPolicy.class)))
                        .resubscribeOnOptIn(bool(config, ForwarderOptions.RESUBSCRIBE_ON_OPT_IN))
                        .updateEmailById(bool(config, ForwarderOptions.UPDATE_EMAIL_BY_ID))
                        .allowMessageRoutingProperties(
                                bool(config, ForwarderOptions.ALLOW_MESSAGE_ROUTING_PROPERTIES))
                        .forwardDevices(bool(config, ForwarderOptions.FORWARD_DEVICES))
                        .environments(environments(config))
                        .deviceRefreshInterval(
                                zeroOrPositive(config, ForwarderOptions.DEVICE_REFRESH_INTERVAL))
                        .anonymousEvents(bool(config, ForwarderOptions.ANONYMOUS_EVENTS))
                        .anonymousEventsInBatch(
                                bool(config, ForwarderOptions.ANONYMOUS_EVENTS_IN_BATCH))
                        .guardSharedEmails(bool(config, ForwarderOptions.GUARD_SHARED_EMAILS))
                        .forwardCommerceEvents(
                                bool(config, ForwarderOptions.FORWARD_COMMERCE_EVENTS))
                        .commerceEventNames(
                                read(
                                        config,
                                        ForwarderOptions.COMMERCE_EVENT_NAMES,
                                        Codes.accepted(
                                                dev.cioforwarder.mapping.CommerceEventNames.class)))
                        .commerceEventPrefix(commerceEventPrefix(config))
                        .applyIdentifierChanges(
                                config.get(ForwarderOptions.APP_API_KEY_ENV) != null
                                        || config.get(ForwarderOptions.APP_API_KEY_FILE) != null)
                        .workspaceIdentifiers(
                                read(
                                        config,
                                        ForwarderOptions.WORKSPACE_IDENTIFIERS,
                                        Codes.accepted(
                                                dev.cioforwarder.mapping.WorkspaceIdentifiers
                                                        .class)))
                        .apiMode(
                                read(
                                        config,
                                        ForwarderOptions.API_MODE,
                                        Codes.accepted(ApiMode.class)))
                        .build();
        refuseEmailAddressingWithoutEmailIdentifier(mapping);
        return mapping;
    }

    /**
     * In an ID-only workspace nobody can be addressed by email: {@code email} (always) and {@code
     * prefer_customer_id} (for a user without a Customer ID, and for the email-to-id attach) would
     * send identifies Customer.io cannot take. Refused at start, naming the two that work.
     */
    private static void refuseEmailAddressingWithoutEmailIdentifier(MappingSettings mapping) {
        if (mapping.workspaceIdentifiers().emailIsIdentifier()) {
            return;
        }
        UserIdType type = mapping.userIdType();
        if (type == UserIdType.EMAIL || type == UserIdType.PREFER_CUSTOMER_ID) {
            throw new IllegalArgumentException(
                    "setting "
                            + ForwarderOptions.USER_ID_TYPE.key()
                            + ": \""
                            + type.code()
                            + "\" addresses people by email, which an ID-only workspace ("
                            + ForwarderOptions.WORKSPACE_IDENTIFIERS.key()
                            + "=id_only) does not know them by; expected customer_id or mpid"
                            + " (the email is then sent as an attribute)");
        }
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
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            checkKnown(key);
            if (key.startsWith(KAFKA_PROPERTY_PREFIX)) {
                kafka.put(key.substring(KAFKA_PROPERTY_PREFIX.length()), e.getValue());
            } else if (e.getValue() != null) {
                values.put(key, e.getValue().trim());
            }
        }
        Configuration config = Configuration.fromMap(values);
        String propertiesFile = config.get(ForwarderOptions.KAFKA_PROPERTIES_FILE);
        if (propertiesFile != null) {
            Map<String, String> fromFile =
                    readProperties(Path.of(propertiesFile), "kafka.properties-file");
            // The file holds credentials; explicit pass-through properties win over it.
            Map<String, String> combined = new TreeMap<>(fromFile);
            combined.putAll(kafka);
            kafka = combined;
        }
        return new ForwarderSettings(config, kafka);
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

    /** A setting as text, as given or defaulted (null when unset). */
    public String get(String key) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException("unknown setting " + key);
        }
        return config.getString(key, DEFAULTS.get(key));
    }

    public String siteId() {
        return config.get(ForwarderOptions.SITE_ID);
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
                retryPolicy(),
                appApiUrl(),
                appApiKeySource(),
                appApiLagGrace(),
                mapping.workspaceIdentifiers().emailIsIdentifier());
    }

    /** {@code customerio.app-api-lag-grace}: zero or more. */
    public Duration appApiLagGrace() {
        return config.get(ForwarderOptions.APP_API_LAG_GRACE);
    }

    public ApiKeySource apiKeySource() {
        return new ApiKeySource(
                config.get(ForwarderOptions.API_KEY_ENV),
                config.get(ForwarderOptions.API_KEY_FILE));
    }

    public Region region() {
        return config.get(ForwarderOptions.REGION);
    }

    /** The endpoint override, or the region's Track host. */
    public String trackUrl() {
        String endpoint = config.get(ForwarderOptions.ENDPOINT);
        return endpoint != null ? endpoint : region().trackUrl();
    }

    public MappingSettings mapping() {
        return mapping;
    }

    public ApiMode apiMode() {
        return mapping.apiMode();
    }

    public double rateLimitPerSecond() {
        return config.get(ForwarderOptions.RATE_LIMIT);
    }

    public int maxInFlight() {
        return config.get(ForwarderOptions.MAX_IN_FLIGHT);
    }

    public Duration requestTimeout() {
        return config.get(ForwarderOptions.REQUEST_TIMEOUT);
    }

    /** Null when retries never give up (the default). */
    public Duration maxRetryDuration() {
        return config.get(ForwarderOptions.MAX_RETRY_DURATION);
    }

    public RetryPolicy retryPolicy() {
        return new RetryPolicy(
                RetryPolicy.DEFAULT_INITIAL_BACKOFF,
                RetryPolicy.DEFAULT_MAX_BACKOFF,
                config.get(ForwarderOptions.AUTH_RETRY_INTERVAL),
                maxRetryDuration(),
                config.get(ForwarderOptions.IN_SLOT_RETRY),
                config.get(ForwarderOptions.UNEXPECTED_STATUS_RETRY));
    }

    public String feedbackTopic() {
        String topic = config.get(ForwarderOptions.FEEDBACK_TOPIC);
        return topic != null ? topic : topics().get(0) + ".customerio-feedback";
    }

    public long waitingCapacity() {
        return config.get(ForwarderOptions.WAITING_CAPACITY);
    }

    public int batchMaxBytes() {
        return config.get(ForwarderOptions.BATCH_MAX_BYTES);
    }

    public Duration batchLinger() {
        return config.get(ForwarderOptions.BATCH_LINGER);
    }

    public String bootstrapServers() {
        return config.get(ForwarderOptions.BOOTSTRAP_SERVERS);
    }

    public List<String> topics() {
        List<String> topics = new ArrayList<>();
        for (String t : config.get(ForwarderOptions.TOPIC).split(",")) {
            if (!t.isBlank()) {
                topics.add(t.trim());
            }
        }
        return topics;
    }

    public String groupId() {
        return config.get(ForwarderOptions.GROUP_ID);
    }

    public StartingOffsets startingOffsets() {
        return config.get(ForwarderOptions.STARTING_OFFSETS);
    }

    /** Kafka client properties for the source and the dead-letter sink (may hold credentials). */
    public Map<String, String> kafkaProperties() {
        return Collections.unmodifiableMap(kafkaProperties);
    }

    public String deadLetterTopic() {
        String topic = config.get(ForwarderOptions.DEAD_LETTER_TOPIC);
        return topic != null ? topic : topics().get(0) + ".customerio-dlq";
    }

    public String deadLetterTransactionalIdPrefix() {
        return config.get(ForwarderOptions.DEAD_LETTER_TRANSACTIONAL_ID_PREFIX);
    }

    public int maxRecordBytes() {
        return config.get(ForwarderOptions.MAX_RECORD_BYTES);
    }

    /** Null when user state never expires (the default). */
    public Duration stateTtl() {
        return config.get(ForwarderOptions.STATE_TTL);
    }

    public String jobName() {
        return config.get(ForwarderOptions.JOB_NAME);
    }

    public int maxParallelism() {
        return config.get(ForwarderOptions.MAX_PARALLELISM);
    }

    /** Where to read the App API key, or null when identifier changes are not applied. */
    public ApiKeySource appApiKeySource() {
        if (!mapping.applyIdentifierChanges()) {
            return null;
        }
        return new ApiKeySource(
                config.get(ForwarderOptions.APP_API_KEY_ENV),
                config.get(ForwarderOptions.APP_API_KEY_FILE));
    }

    /** The App API endpoint override, or the region's App API host. */
    public String appApiUrl() {
        String endpoint = config.get(ForwarderOptions.APP_API_ENDPOINT);
        return endpoint != null ? endpoint : region().appApiUrl();
    }

    /** The erasure request topic, or null when erasure is off. */
    public String erasureTopic() {
        return config.get(ForwarderOptions.ERASURE_TOPIC);
    }

    public String erasureOutcomeTopic() {
        String topic = config.get(ForwarderOptions.ERASURE_OUTCOME_TOPIC);
        return topic != null || erasureTopic() == null ? topic : erasureTopic() + ".outcomes";
    }

    /** The settings for logs and the Flink UI: no secrets, no Kafka properties' values. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (String key : DEFAULTS.keySet()) {
            String value = get(key);
            if (value != null) {
                sb.append(key).append('=').append(value).append(", ");
            }
        }
        sb.append("kafka client properties: ").append(kafkaProperties.keySet());
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------
    // Validation: Flink parses, the messages name the setting and what it accepts.

    private void required(ConfigOption<String> option) {
        String value = config.get(option);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("setting " + option.key() + " is required");
        }
    }

    private static <T> T read(Configuration config, ConfigOption<T> option, String accepted) {
        try {
            return config.get(option);
        } catch (IllegalArgumentException e) {
            throw invalid(option, config.getString(option.key(), null), accepted);
        }
    }

    /**
     * The prefix as given (spaces inside it are kept: it is part of a name the app chose), with
     * room left for the longest commerce event name within Customer.io's limit.
     */
    private static String commerceEventPrefix(Configuration config) {
        String value = config.get(ForwarderOptions.COMMERCE_EVENT_PREFIX);
        if (value == null) {
            return "";
        }
        int room =
                dev.cioforwarder.mapping.CustomerioLimits.MAX_EVENT_NAME_BYTES
                        - dev.cioforwarder.mapping.CommerceEventNames.longestName();
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > room
                || !value.equals(value.strip())
                || value.chars().anyMatch(Character::isISOControl)) {
            throw invalid(
                    ForwarderOptions.COMMERCE_EVENT_PREFIX,
                    value,
                    "at most "
                            + room
                            + " bytes, without leading or trailing spaces or control characters");
        }
        return value;
    }

    private static dev.cioforwarder.mapping.Environments environments(Configuration config) {
        String value = config.get(ForwarderOptions.ENVIRONMENTS);
        try {
            return dev.cioforwarder.mapping.Environments.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid(
                    ForwarderOptions.ENVIRONMENTS,
                    value,
                    "production, development or both, comma-separated");
        }
    }

    /** A duration with its unit, zero (off) or more. */
    private static Duration zeroOrPositive(Configuration config, ConfigOption<Duration> option) {
        String text = config.getString(option.key(), null);
        if (text != null
                && (text.isEmpty() || !Character.isLetter(text.charAt(text.length() - 1)))) {
            throw invalid(option, text, DURATION);
        }
        Duration value = read(config, option, DURATION);
        if (value.isNegative()) {
            throw invalid(option, text, DURATION + ", zero or more");
        }
        return value;
    }

    private static boolean bool(Configuration config, ConfigOption<Boolean> option) {
        return read(config, option, "true, false");
    }

    private int positiveInt(ConfigOption<Integer> option) {
        int value = read(config, option, "a positive whole number");
        if (value <= 0) {
            throw invalid(option, Integer.toString(value), "a positive whole number");
        }
        return value;
    }

    /**
     * A duration read by Flink's {@code TimeUtils}, which takes a number without a unit as
     * milliseconds: refused here, so {@code 10} is never read as 10 ms by someone meaning 10 s.
     */
    private Duration duration(ConfigOption<Duration> option) {
        String text = config.getString(option.key(), null);
        if (text != null
                && (text.isEmpty() || !Character.isLetter(text.charAt(text.length() - 1)))) {
            throw invalid(option, text, DURATION);
        }
        Duration value = read(config, option, DURATION);
        if (value != null && (value.isZero() || value.isNegative())) {
            throw invalid(option, text, DURATION + ", above zero");
        }
        return value;
    }

    private static IllegalArgumentException invalid(
            ConfigOption<?> option, String value, String accepted) {
        return new IllegalArgumentException(
                "setting "
                        + option.key()
                        + ": \""
                        + value
                        + "\" is not valid; expected "
                        + accepted);
    }

    /** A default as it is written in settings (an enum's code, a duration with its unit). */
    private static String text(Object value) {
        if (value instanceof Duration) {
            Duration d = (Duration) value;
            if (d.toMillis() % 1000 != 0) {
                return d.toMillis() + "ms";
            }
            return d.getSeconds() + "s";
        }
        if (value instanceof Double && ((Double) value) == Math.rint((Double) value)) {
            return Long.toString(((Double) value).longValue());
        }
        return String.valueOf(value);
    }

    /** Where the Kafka source starts when the group has no committed offset. */
    public enum StartingOffsets implements Coded {
        COMMITTED_OR_EARLIEST("committed-or-earliest"),
        COMMITTED_OR_LATEST("committed-or-latest"),
        EARLIEST("earliest"),
        LATEST("latest");

        private final String code;

        StartingOffsets(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }

        /** The code: what settings and Flink's enum options read and write. */
        @Override
        public String toString() {
            return code;
        }
    }
}
