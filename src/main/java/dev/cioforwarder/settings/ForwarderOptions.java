package dev.cioforwarder.settings;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.CommerceEventNames;
import dev.cioforwarder.mapping.CreatedAtPolicy;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mapping.WorkspaceIdentifiers;
import dev.cioforwarder.mparticle.BatchParser;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every setting of the job as a Flink {@link ConfigOption}: key, type, default and description, in
 * one place. {@link ForwarderSettings} reads and validates them; the table of docs/settings.md
 * lists each one with its default ({@code SettingsDocumentationTest} checks it).
 */
public final class ForwarderOptions {

    private ForwarderOptions() {}

    /**
     * The mapping rules' defaults, written once in {@link MappingSettings.Builder}: the options of
     * those settings take their defaults from here ({@code ForwarderOptionsDefaultsTest}).
     */
    private static final MappingSettings MAPPING = MappingSettings.defaults();

    public static final ConfigOption<String> SITE_ID =
            ConfigOptions.key("customerio.site-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Customer.io Site ID (required).");

    public static final ConfigOption<String> API_KEY_ENV =
            ConfigOptions.key("customerio.api-key-env")
                    .stringType()
                    .defaultValue("CUSTOMERIO_API_KEY")
                    .withDescription(
                            "Environment variable holding the Track API key on the TaskManagers.");

    public static final ConfigOption<String> API_KEY_FILE =
            ConfigOptions.key("customerio.api-key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Or: a file holding the key on the TaskManagers (wins over the"
                                    + " variable).");

    public static final ConfigOption<Region> REGION =
            ConfigOptions.key("customerio.region")
                    .enumType(Region.class)
                    .defaultValue(Region.US)
                    .withDescription("us (track.customer.io) or eu (track-eu.customer.io).");

    public static final ConfigOption<String> ENDPOINT =
            ConfigOptions.key("customerio.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Overrides the region's URL (a simulator, a proxy).");

    public static final ConfigOption<UserIdType> USER_ID_TYPE =
            ConfigOptions.key("customerio.user-id-type")
                    .enumType(UserIdType.class)
                    .defaultValue(MAPPING.userIdType())
                    .withDescription("prefer_customer_id, customer_id, email or mpid.");

    public static final ConfigOption<Boolean> INCLUDE_USER_ATTRIBUTES =
            ConfigOptions.key("customerio.include-user-attributes")
                    .booleanType()
                    .defaultValue(MAPPING.includeUserAttributes())
                    .withDescription(
                            "Forward all user attributes (else first/last name and email).");

    public static final ConfigOption<Boolean> SEND_CREATED_AT =
            ConfigOptions.key("customerio.send-created-at")
                    .booleanType()
                    .defaultValue(MAPPING.sendCreatedAt())
                    .withDescription("Forward created_at.");

    public static final ConfigOption<CreatedAtPolicy> CREATED_AT_POLICY =
            ConfigOptions.key("customerio.created-at-policy")
                    .enumType(CreatedAtPolicy.class)
                    .defaultValue(MAPPING.createdAtPolicy())
                    .withDescription("first-seen or first-run-only.");

    public static final ConfigOption<Boolean> RESUBSCRIBE_ON_OPT_IN =
            ConfigOptions.key("customerio.resubscribe-on-opt-in")
                    .booleanType()
                    .defaultValue(MAPPING.resubscribeOnOptIn())
                    .withDescription(
                            "An opt-in sends unsubscribed: false (under the opt-in's own time).");

    public static final ConfigOption<Boolean> UPDATE_EMAIL_BY_ID =
            ConfigOptions.key("customerio.update-email-by-id")
                    .booleanType()
                    .defaultValue(MAPPING.updateEmailById())
                    .withDescription(
                            "The workspace has \"Allow updates to email using ID\": a changed"
                                    + " email is sent to a person addressed by id.");

    public static final ConfigOption<WorkspaceIdentifiers> WORKSPACE_IDENTIFIERS =
            ConfigOptions.key("customerio.workspace-identifiers")
                    .enumType(WorkspaceIdentifiers.class)
                    .defaultValue(MAPPING.workspaceIdentifiers())
                    .withDescription(
                            "email_and_id, or id_only for a workspace (created before June 2021)"
                                    + " where email is an ordinary attribute: a changed email is"
                                    + " sent in the identify by id, and people are addressed by"
                                    + " id only.");

    public static final ConfigOption<Boolean> ALLOW_MESSAGE_ROUTING_PROPERTIES =
            ConfigOptions.key("customerio.allow-message-routing-properties")
                    .booleanType()
                    .defaultValue(MAPPING.allowMessageRoutingProperties())
                    .withDescription(
                            "Forward event properties recipient, from_address and reply_to"
                                    + " unchanged (else renamed mp_...).");

    public static final ConfigOption<Boolean> FORWARD_DEVICES =
            ConfigOptions.key("customerio.forward-devices")
                    .booleanType()
                    .defaultValue(MAPPING.forwardDevices())
                    .withDescription(
                            "Push tokens (push_registration, device_info.push_token, uninstall)"
                                    + " become the person's Customer.io devices.");

    public static final ConfigOption<Duration> DEVICE_REFRESH_INTERVAL =
            ConfigOptions.key("customerio.device-refresh-interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(MAPPING.deviceRefreshIntervalMs()))
                    .withDescription(
                            "A device seen again this much later than it was last sent goes again"
                                    + " (add_device with the newer last_used); 0 s: never.");

    public static final ConfigOption<CommerceEventNames> COMMERCE_EVENT_NAMES =
            ConfigOptions.key("customerio.commerce-event-names")
                    .enumType(CommerceEventNames.class)
                    .defaultValue(MAPPING.commerceEventNames())
                    .withDescription(
                            "mparticle (purchase, add_to_cart...) or semantic (Order Completed,"
                                    + " Product Added...).");

    public static final ConfigOption<String> COMMERCE_EVENT_PREFIX =
            ConfigOptions.key("customerio.commerce-event-prefix")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Put before the name of every commerce event; unset: none.");

    public static final ConfigOption<Boolean> ANONYMOUS_EVENTS =
            ConfigOptions.key("customerio.anonymous-events")
                    .booleanType()
                    .defaultValue(MAPPING.anonymousEvents())
                    .withDescription(
                            "Events of users without identity are sent with anonymous_id = MPID,"
                                    + " and merged into the person when they are identified.");

    public static final ConfigOption<Boolean> ANONYMOUS_EVENTS_IN_BATCH =
            ConfigOptions.key("customerio.anonymous-events-in-batch")
                    .booleanType()
                    .defaultValue(MAPPING.anonymousEventsInBatch())
                    .withDescription(
                            "In v2-batch mode, anonymous events go into /api/v2/batch by"
                                    + " identifiers.anonymous_id; false: one POST /api/v1/events"
                                    + " each (for a workspace that refuses anonymous_id in v2).");

    public static final ConfigOption<Boolean> GUARD_SHARED_EMAILS =
            ConfigOptions.key("customerio.guard-shared-emails")
                    .booleanType()
                    .defaultValue(MAPPING.guardSharedEmails())
                    .withDescription(
                            "A person addressed by id gets an email only once the job's email"
                                    + " index says no other customer (Customer ID, or MPID with"
                                    + " user-id-type mpid) holds it: Customer.io would give that"
                                    + " customer's person the new id.");

    public static final ConfigOption<Boolean> FORWARD_COMMERCE_EVENTS =
            ConfigOptions.key("customerio.forward-commerce-events")
                    .booleanType()
                    .defaultValue(MAPPING.forwardCommerceEvents())
                    .withDescription(
                            "commerce_event becomes an event named after its action (purchase,"
                                    + " add_to_cart...).");

    public static final ConfigOption<String> APP_API_KEY_ENV =
            ConfigOptions.key("customerio.app-api-key-env")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Environment variable holding an App API key on the TaskManagers:"
                                    + " changed identifiers are applied through cio_id.");

    public static final ConfigOption<String> APP_API_KEY_FILE =
            ConfigOptions.key("customerio.app-api-key-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Or: a file holding the App API key on the TaskManagers.");

    public static final ConfigOption<Duration> APP_API_LAG_GRACE =
            ConfigOptions.key("customerio.app-api-lag-grace")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "The App API lags the Track API: while applying an identifier"
                                    + " change, a person not found by the identifier they are"
                                    + " known by is looked up again for this long before the"
                                    + " change is taken as not needed.");

    public static final ConfigOption<String> APP_API_ENDPOINT =
            ConfigOptions.key("customerio.app-api-endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Overrides the region's App API URL (api.customer.io,"
                                    + " api-eu.customer.io).");

    public static final ConfigOption<String> ERASURE_TOPIC =
            ConfigOptions.key("privacy.erasure-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka topic of erasure requests; unset: erasure is off.");

    public static final ConfigOption<String> ERASURE_OUTCOME_TOPIC =
            ConfigOptions.key("privacy.erasure-outcome-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where each erasure's outcome is written; unset:"
                                    + " <erasure topic>.outcomes.");

    public static final ConfigOption<ApiMode> API_MODE =
            ConfigOptions.key("customerio.api-mode")
                    .enumType(ApiMode.class)
                    .defaultValue(MAPPING.apiMode())
                    .withDescription("v2-batch or v1.");

    public static final ConfigOption<Double> RATE_LIMIT =
            ConfigOptions.key("customerio.rate-limit")
                    .doubleType()
                    .defaultValue(100.0)
                    .withDescription(
                            "Requests per second for the whole job (split over the parallel"
                                    + " instances).");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT =
            ConfigOptions.key("customerio.max-in-flight")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Requests in flight per parallel instance (the AsyncIO capacity), and"
                                    + " the number of request lanes users are spread over.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            ConfigOptions.key("customerio.request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("HTTP request timeout.");

    public static final ConfigOption<Duration> MAX_RETRY_DURATION =
            ConfigOptions.key("customerio.max-retry-duration")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "After this long retrying, dead-letter (retry_duration_exceeded);"
                                    + " unset: never give up.");

    public static final ConfigOption<Duration> IN_SLOT_RETRY =
            ConfigOptions.key("customerio.in-slot-retry")
                    .durationType()
                    .defaultValue(RetryPolicy.DEFAULT_IN_SLOT)
                    .withDescription(
                            "How long a request retries 408/429/5xx/network errors in its AsyncIO"
                                    + " slot; then its operations wait, in order, in their users'"
                                    + " state (RocksDB) and are retried from there.");

    public static final ConfigOption<Duration> UNEXPECTED_STATUS_RETRY =
            ConfigOptions.key("customerio.unexpected-status-retry")
                    .durationType()
                    .defaultValue(RetryPolicy.DEFAULT_UNEXPECTED_STATUS)
                    .withDescription(
                            "How long a status that is neither success, refusal, credentials nor"
                                    + " transient (3xx, 404, 409, ...) is retried for a person"
                                    + " before a dead letter (unexpected_status).");

    public static final ConfigOption<Duration> AUTH_RETRY_INTERVAL =
            ConfigOptions.key("customerio.auth-retry-interval")
                    .durationType()
                    .defaultValue(RetryPolicy.DEFAULT_AUTH_RETRY_INTERVAL)
                    .withDescription("Wait between attempts while Customer.io refuses the key.");

    public static final ConfigOption<Integer> BATCH_MAX_BYTES =
            ConfigOptions.key("customerio.batch.max-bytes")
                    .intType()
                    .defaultValue(480_000)
                    .withDescription("Byte budget of a /api/v2/batch request (at most 500,000).");

    public static final ConfigOption<Duration> BATCH_LINGER =
            ConfigOptions.key("customerio.batch.linger")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("How long a request waits to fill up.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers (required).");

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("kafka.topic")
                    .stringType()
                    .defaultValue("mparticle-batches")
                    .withDescription("Input topic(s), comma-separated.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("mparticle-customerio-forwarder")
                    .withDescription("Consumer group; offsets are committed on checkpoints.");

    public static final ConfigOption<ForwarderSettings.StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(ForwarderSettings.StartingOffsets.class)
                    .defaultValue(ForwarderSettings.StartingOffsets.COMMITTED_OR_EARLIEST)
                    .withDescription(
                            "committed-or-earliest, committed-or-latest, earliest or latest.");

    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE =
            ConfigOptions.key("kafka.properties-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka client properties for the source and the dead-letter sink"
                                    + " (SASL/SSL credentials go here).");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Dead-letter topic; unset: <first input topic>.customerio-dlq.");

    public static final ConfigOption<String> FEEDBACK_TOPIC =
            ConfigOptions.key("delivery.feedback-topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The job's own topic for what delivery tells the users' state"
                                    + " (waiting operations, refusals); unset: <first input"
                                    + " topic>.customerio-feedback.");

    public static final ConfigOption<Long> WAITING_CAPACITY =
            ConfigOptions.key("delivery.waiting-capacity")
                    .longType()
                    .defaultValue(10_000_000L)
                    .withDescription(
                            "Operations that may wait for Customer.io per parallel instance;"
                                    + " beyond it a waiting user's new operations are"
                                    + " dead-lettered (waiting_capacity_exceeded).");

    public static final ConfigOption<String> DEAD_LETTER_TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("dead-letter.transactional-id-prefix")
                    .stringType()
                    .defaultValue("mparticle-customerio-dlq")
                    .withDescription("Unique per job on a Kafka cluster.");

    public static final ConfigOption<String> ENVIRONMENTS =
            ConfigOptions.key("mparticle.environments")
                    .stringType()
                    .defaultValue(MAPPING.environments().toString())
                    .withDescription(
                            "The mParticle environments forwarded: production, development or"
                                    + " both, comma-separated.");

    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            ConfigOptions.key("mparticle.max-record-bytes")
                    .intType()
                    .defaultValue(BatchParser.DEFAULT_MAX_RECORD_BYTES)
                    .withDescription("Larger records are dead-lettered (record_too_large).");

    public static final ConfigOption<Duration> STATE_TTL =
            ConfigOptions.key("state.ttl")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Forget users unseen this long (e.g. 400d); unset: keep forever.");

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("mparticle-customerio-forwarder")
                    .withDescription("The Flink job name.");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            ConfigOptions.key("job.max-parallelism")
                    .intType()
                    .defaultValue(720)
                    .withDescription("Key groups: fixed for the life of the job's state.");

    /** Every option, in the order of docs/settings.md. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    SITE_ID,
                    API_KEY_ENV,
                    API_KEY_FILE,
                    REGION,
                    ENDPOINT,
                    USER_ID_TYPE,
                    INCLUDE_USER_ATTRIBUTES,
                    SEND_CREATED_AT,
                    CREATED_AT_POLICY,
                    RESUBSCRIBE_ON_OPT_IN,
                    UPDATE_EMAIL_BY_ID,
                    WORKSPACE_IDENTIFIERS,
                    ALLOW_MESSAGE_ROUTING_PROPERTIES,
                    FORWARD_DEVICES,
                    DEVICE_REFRESH_INTERVAL,
                    GUARD_SHARED_EMAILS,
                    COMMERCE_EVENT_NAMES,
                    COMMERCE_EVENT_PREFIX,
                    ANONYMOUS_EVENTS,
                    ANONYMOUS_EVENTS_IN_BATCH,
                    FORWARD_COMMERCE_EVENTS,
                    APP_API_KEY_ENV,
                    APP_API_KEY_FILE,
                    APP_API_ENDPOINT,
                    APP_API_LAG_GRACE,
                    ERASURE_TOPIC,
                    ERASURE_OUTCOME_TOPIC,
                    API_MODE,
                    RATE_LIMIT,
                    MAX_IN_FLIGHT,
                    REQUEST_TIMEOUT,
                    MAX_RETRY_DURATION,
                    IN_SLOT_RETRY,
                    UNEXPECTED_STATUS_RETRY,
                    AUTH_RETRY_INTERVAL,
                    BATCH_MAX_BYTES,
                    BATCH_LINGER,
                    BOOTSTRAP_SERVERS,
                    TOPIC,
                    GROUP_ID,
                    STARTING_OFFSETS,
                    KAFKA_PROPERTIES_FILE,
                    DEAD_LETTER_TOPIC,
                    DEAD_LETTER_TRANSACTIONAL_ID_PREFIX,
                    FEEDBACK_TOPIC,
                    WAITING_CAPACITY,
                    ENVIRONMENTS,
                    MAX_RECORD_BYTES,
                    STATE_TTL,
                    JOB_NAME,
                    MAX_PARALLELISM);
}
