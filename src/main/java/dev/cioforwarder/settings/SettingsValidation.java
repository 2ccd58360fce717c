package dev.cioforwarder.settings;

import dev.cioforwarder.codes.Codes;
import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.mapping.CommerceEventNames;
import dev.cioforwarder.mapping.CreatedAtPolicy;
import dev.cioforwarder.mapping.CustomerioLimits;
import dev.cioforwarder.mapping.Environments;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mapping.WorkspaceIdentifiers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The checks every setting passes at start-up, in one place: Flink parses each value, and a bad one
 * fails with a message naming the setting and what it accepts. {@link ForwarderSettings} runs them
 * once, when it is built; the preview runs the mapping settings' part alone.
 */
final class SettingsValidation {

    private static final String DURATION =
            "a duration with its unit, such as 500ms, 10s, 5m, 2h or 30d";

    private SettingsValidation() {}

    /**
     * Checks every setting, in a fixed order (the first bad one is reported), and returns the
     * mapping settings they make.
     */
    static MappingSettings validate(Configuration config) {
        required(config, ForwarderOptions.SITE_ID);
        required(config, ForwarderOptions.BOOTSTRAP_SERVERS);
        read(config, ForwarderOptions.REGION, Codes.accepted(Region.class));
        MappingSettings mapping = mappingSettings(config);
        double rate = read(config, ForwarderOptions.RATE_LIMIT, "a positive number");
        if (!(rate > 0)) {
            throw invalid(
                    ForwarderOptions.RATE_LIMIT, ForwarderSettings.text(rate), "a positive number");
        }
        positiveInt(config, ForwarderOptions.MAX_IN_FLIGHT);
        duration(config, ForwarderOptions.REQUEST_TIMEOUT);
        duration(config, ForwarderOptions.MAX_RETRY_DURATION);
        int maxBytes = positiveInt(config, ForwarderOptions.BATCH_MAX_BYTES);
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
        duration(config, ForwarderOptions.BATCH_LINGER);
        duration(config, ForwarderOptions.AUTH_RETRY_INTERVAL);
        duration(config, ForwarderOptions.IN_SLOT_RETRY);
        duration(config, ForwarderOptions.UNEXPECTED_STATUS_RETRY);
        zeroOrPositive(config, ForwarderOptions.APP_API_LAG_GRACE);
        long capacity = read(config, ForwarderOptions.WAITING_CAPACITY, "a positive whole number");
        if (capacity <= 0) {
            throw invalid(
                    ForwarderOptions.WAITING_CAPACITY,
                    Long.toString(capacity),
                    "a positive whole number");
        }
        maxRecordBytes(config);
        duration(config, ForwarderOptions.STATE_TTL);
        positiveInt(config, ForwarderOptions.MAX_PARALLELISM);
        read(
                config,
                ForwarderOptions.STARTING_OFFSETS,
                Codes.accepted(ForwarderSettings.StartingOffsets.class));
        if (ForwarderSettings.topics(config).isEmpty()) {
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
        return mapping;
    }

    static MappingSettings mappingSettings(Configuration config) {
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
                                        Codes.accepted(CreatedAtPolicy.class)))
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
                                        Codes.accepted(CommerceEventNames.class)))
                        .commerceEventPrefix(commerceEventPrefix(config))
                        .applyIdentifierChanges(
                                config.get(ForwarderOptions.APP_API_KEY_ENV) != null
                                        || config.get(ForwarderOptions.APP_API_KEY_FILE) != null)
                        .workspaceIdentifiers(
                                read(
                                        config,
                                        ForwarderOptions.WORKSPACE_IDENTIFIERS,
                                        Codes.accepted(WorkspaceIdentifiers.class)))
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

    private static void required(Configuration config, ConfigOption<String> option) {
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
        int room = CustomerioLimits.MAX_EVENT_NAME_BYTES - CommerceEventNames.longestName();
        if (value.getBytes(StandardCharsets.UTF_8).length > room
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

    private static Environments environments(Configuration config) {
        String value = config.get(ForwarderOptions.ENVIRONMENTS);
        try {
            return Environments.parse(value);
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

    static int maxRecordBytes(Configuration config) {
        return positiveInt(config, ForwarderOptions.MAX_RECORD_BYTES);
    }

    private static boolean bool(Configuration config, ConfigOption<Boolean> option) {
        return read(config, option, "true, false");
    }

    private static int positiveInt(Configuration config, ConfigOption<Integer> option) {
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
    private static Duration duration(Configuration config, ConfigOption<Duration> option) {
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
}
