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

    /** Malformed events described one by one; the rest are only counted. */
    public static final int MAX_DESCRIBED_EVENT_REJECTIONS = 20;

    private final List<EventRejection> eventRejections;
    private final int eventRejectionCount;
    private final List<String> notForwardedEventTypes;

    private ParseResult(
            MParticleBatch batch,
            DeadLetterReason rejection,
            String rejectionDetail,
            List<EventRejection> eventRejections,
            int eventRejectionCount,
            List<String> notForwardedEventTypes) {
        this.batch = batch;
        this.rejection = rejection;
        this.rejectionDetail = rejectionDetail;
        this.eventRejections = eventRejections;
        this.eventRejectionCount = eventRejectionCount;
        this.notForwardedEventTypes = notForwardedEventTypes;
    }

    static ParseResult accepted(
            MParticleBatch batch,
            List<EventRejection> eventRejections,
            int eventRejectionCount,
            List<String> notForwardedEventTypes) {
        return new ParseResult(
                batch, null, null, eventRejections, eventRejectionCount, notForwardedEventTypes);
    }

    static ParseResult rejected(DeadLetterReason reason, String detail) {
        return new ParseResult(null, reason, detail, List.of(), 0, List.of());
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

    /**
     * The first {@link #MAX_DESCRIBED_EVENT_REJECTIONS} events dropped from an accepted batch
     * because they are malformed.
     */
    public List<EventRejection> eventRejections() {
        return eventRejections;
    }

    /** How many events were dropped as malformed (may exceed the described ones). */
    public int eventRejectionCount() {
        return eventRejectionCount;
    }

    /**
     * One detail for all the malformed events of a record: they share one dead letter (with the
     * record), so a record of millions of broken events is one dead letter, not millions.
     */
    public String eventRejectionSummary() {
        StringBuilder sb = new StringBuilder();
        sb.append(eventRejectionCount)
                .append(
                        eventRejectionCount == 1
                                ? " malformed event was"
                                : " malformed events were")
                .append(" dropped; the rest of the batch is forwarded: ");
        for (int i = 0; i < eventRejections.size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(eventRejections.get(i).detail());
        }
        int undescribed = eventRejectionCount - eventRejections.size();
        if (undescribed > 0) {
            sb.append("; and ").append(undescribed).append(" more");
        }
        return sb.toString();
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
