package dev.cioforwarder.settings;

import dev.cioforwarder.codes.Coded;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.delivery.ApiKeySource;
import dev.cioforwarder.delivery.DeliverySettings;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.MappingSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of the job ({@link ForwarderOptions}), read from its sources ({@link
 * SettingsSources}) and validated once at start-up ({@link SettingsValidation}). A bad value fails
 * with a message naming the setting and the accepted values.
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

    private final Configuration config;
    private final Map<String, String> kafkaProperties;
    private final MappingSettings mapping;

    private ForwarderSettings(Configuration config, Map<String, String> kafkaProperties) {
        this.config = config;
        this.kafkaProperties = kafkaProperties;
        this.mapping = SettingsValidation.validate(config);
    }

    /** Reads {@code --key value} arguments and the optional {@code --settings FILE}. */
    public static ForwarderSettings fromArgs(String[] args) {
        return fromMap(SettingsSources.fromArgs(args));
    }

    /** Builds settings from a key/value map (the preview command and tests use this). */
    public static ForwarderSettings fromMap(Map<String, String> given) {
        SettingsSources.Given read = SettingsSources.fromMap(given);
        return new ForwarderSettings(read.config(), read.kafkaProperties());
    }

    /**
     * The mapping settings alone, validated with the same rules and messages as the job's: the
     * preview command needs no Kafka or Customer.io settings.
     */
    public static MappingSettings mappingSettings(Map<String, String> given) {
        return SettingsValidation.mappingSettings(SettingsSources.settingsOnly(given));
    }

    /**
     * {@code mparticle.max-record-bytes} alone, validated as the job's: the preview dead-letters a
     * record the job would.
     */
    public static int maxRecordBytes(Map<String, String> given) {
        return SettingsValidation.maxRecordBytes(SettingsSources.settingsOnly(given));
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
        return topics(config);
    }

    static List<String> topics(Configuration config) {
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

    /** A default as it is written in settings (an enum's code, a duration with its unit). */
    static String text(Object value) {
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
