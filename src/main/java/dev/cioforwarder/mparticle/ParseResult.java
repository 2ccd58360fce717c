package dev.cioforwarder.mparticle;

import dev.cioforwarder.deadletter.DeadLetterReason;
import java.util.List;

/**
 * What the parser made of one Kafka record: a batch (possibly with some events rejected), or the
 * reason the whole record is unusable. Never both.
 */
public final class ParseResult {
    private final MParticleBatch batch;
    private final DeadLetterReason rejection;
    private final String rejectionDetail;
    private final List<EventRejection> eventRejections;
    private final List<String> notForwardedEventTypes;

    private ParseResult(
            MParticleBatch batch,
            DeadLetterReason rejection,
            String rejectionDetail,
            List<EventRejection> eventRejections,
            List<String> notForwardedEventTypes) {
        this.batch = batch;
        this.rejection = rejection;
        this.rejectionDetail = rejectionDetail;
        this.eventRejections = eventRejections;
        this.notForwardedEventTypes = notForwardedEventTypes;
    }

    static ParseResult accepted(
            MParticleBatch batch,
            List<EventRejection> eventRejections,
            List<String> notForwardedEventTypes) {
        return new ParseResult(batch, null, null, eventRejections, notForwardedEventTypes);
    }

    static ParseResult rejected(DeadLetterReason reason, String detail) {
        return new ParseResult(null, reason, detail, List.of(), List.of());
    }

    public boolean isRejected() {
        return rejection != null;
    }

    /** The batch; null when {@link #isRejected()}. */
    public MParticleBatch batch() {
        return batch;
    }

    public DeadLetterReason rejection() {
        return rejection;
    }

    /** Where in the document and what is wrong; never contains payload values. */
    public String rejectionDetail() {
        return rejectionDetail;
    }

    /** Events dropped from an accepted batch because they are malformed. */
    public List<EventRejection> eventRejections() {
        return eventRejections;
    }

    /** The {@code event_type} of each event that is valid but not one the forwarder acts on. */
    public List<String> notForwardedEventTypes() {
        return notForwardedEventTypes;
    }

    @Override
    public String toString() {
        return isRejected()
                ? "rejected " + rejection.code() + ": " + rejectionDetail
                : "accepted " + batch.userKey + " events=" + batch.events.size();
    }
}
