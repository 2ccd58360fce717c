package dev.cioforwarder.mapping;

import dev.cioforwarder.deadletter.DeadLetterReason;

/** An event or operation the rules refuse; it goes to the dead-letter topic. */
public final class MappingRejection {
    private final DeadLetterReason reason;
    private final String detail;
    private final String eventJson;

    public MappingRejection(DeadLetterReason reason, String detail, String eventJson) {
        this.reason = reason;
        this.detail = detail;
        this.eventJson = eventJson;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    /** The rejected event or operation as JSON, for the dead-letter record. */
    public String eventJson() {
        return eventJson;
    }

    @Override
    public String toString() {
        return reason.code() + ": " + detail;
    }
}
