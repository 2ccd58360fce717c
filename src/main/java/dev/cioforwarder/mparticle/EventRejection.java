package dev.cioforwarder.mparticle;

import dev.cioforwarder.deadletter.DeadLetterReason;

/** One malformed event inside an otherwise usable batch. */
public final class EventRejection {
    private final DeadLetterReason reason;
    private final String detail;
    private final int position;

    public EventRejection(DeadLetterReason reason, String detail, int position) {
        this.reason = reason;
        this.detail = detail;
        this.position = position;
    }

    public DeadLetterReason reason() {
        return reason;
    }

    /** Where and what: {@code events[2].data.event_name: expected a string, got a number}. */
    public String detail() {
        return detail;
    }

    public int position() {
        return position;
    }

    @Override
    public String toString() {
        return reason.code() + ": " + detail;
    }
}
