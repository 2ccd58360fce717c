package dev.cioforwarder.deadletter;

/**
 * Why a record, an event or an operation went to the dead-letter topic. The {@link #code()} is the
 * stable machine-readable reason written into each dead-letter record and used as a metric label;
 * never rename one, users alert and replay on them.
 */
public enum DeadLetterReason {
    // Stage parse: the Kafka record is not a usable mParticle batch.
    EMPTY_RECORD("empty_record", Stage.PARSE),
    RECORD_TOO_LARGE("record_too_large", Stage.PARSE),
    INVALID_JSON("invalid_json", Stage.PARSE),
    NOT_AN_OBJECT("not_an_object", Stage.PARSE),
    MPID_INVALID("mpid_invalid", Stage.PARSE),
    TIMESTAMP_INVALID("timestamp_invalid", Stage.PARSE),
    USER_IDENTITIES_INVALID("user_identities_invalid", Stage.PARSE),
    USER_ATTRIBUTES_INVALID("user_attributes_invalid", Stage.PARSE),
    DELETED_USER_ATTRIBUTES_INVALID("deleted_user_attributes_invalid", Stage.PARSE),
    DEVICE_INFO_INVALID("device_info_invalid", Stage.PARSE),
    APPLICATION_INFO_INVALID("application_info_invalid", Stage.PARSE),
    EVENTS_INVALID("events_invalid", Stage.PARSE),
    /** One event of an otherwise good batch is malformed; the rest of the batch is forwarded. */
    EVENT_INVALID("event_invalid", Stage.PARSE),
    /** A record of the erasure topic that is not an erasure request. */
    ERASURE_REQUEST_INVALID("erasure_request_invalid", Stage.PARSE),

    // Stage mapping: the batch parsed, but an event or operation breaks a Customer.io rule.
    EVENT_NAME_EMPTY("event_name_empty", Stage.MAPPING),
    EVENT_NAME_TOO_LONG("event_name_too_long", Stage.MAPPING),
    EVENT_DATA_TOO_LARGE("event_data_too_large", Stage.MAPPING),
    OPERATION_TOO_LARGE("operation_too_large", Stage.MAPPING),

    // Stage delivery: Customer.io refused the operation, or we gave up retrying.
    REJECTED_BY_CUSTOMERIO("rejected_by_customerio", Stage.DELIVERY),
    RETRY_DURATION_EXCEEDED("retry_duration_exceeded", Stage.DELIVERY),
    /** Written by versions before 0.2 (the AsyncIO timeout); operations now wait instead. */
    DELIVERY_TIMEOUT("delivery_timeout", Stage.DELIVERY),
    /**
     * A changed Customer ID or email already belongs to another person in Customer.io: not merged
     * silently (the payload holds both identifiers; see docs/mapping.md on merging).
     */
    IDENTIFIER_CONFLICT("identifier_conflict", Stage.DELIVERY),
    /**
     * Customer.io (or something in front of it) kept answering a status that is neither success,
     * refusal, credentials nor transient (3xx, 404, 405, 409, 410, ...) for the operation's person;
     * the detail names the status.
     */
    UNEXPECTED_STATUS("unexpected_status", Stage.DELIVERY),
    /** Delivering the operation failed in the forwarder itself, the same way on every attempt. */
    DELIVERY_ERROR("delivery_error", Stage.DELIVERY),
    /**
     * An identifier change restored from a checkpoint of a job that had an App API key, in a job
     * that has none: it cannot be applied.
     */
    IDENTIFIER_CHANGE_NOT_CONFIGURED("identifier_change_not_configured", Stage.DELIVERY),
    /**
     * The user's operations were waiting for Customer.io and the parallel instance already held
     * delivery.waiting-capacity waiting operations.
     */
    WAITING_CAPACITY_EXCEEDED("waiting_capacity_exceeded", Stage.DELIVERY),
    /**
     * A record of the feedback topic (the job's own) that this version cannot read: written by
     * something else, or by a newer version of the job.
     */
    FEEDBACK_RECORD_INVALID("feedback_record_invalid", Stage.DELIVERY);

    /** The pipeline stage that produced the dead letter. */
    public enum Stage {
        PARSE("parse"),
        MAPPING("mapping"),
        DELIVERY("delivery");

        private final String code;

        Stage(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final String code;
    private final Stage stage;

    DeadLetterReason(String code, Stage stage) {
        this.code = code;
        this.stage = stage;
    }

    public String code() {
        return code;
    }

    public Stage stage() {
        return stage;
    }
}
