package dev.cioforwarder.mapping;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import java.util.List;

/**
 * What the parse stage makes of one record: the batch that goes on to the user's rules, or why none
 * does. A record that is not a usable batch is a dead letter; the malformed events of a usable one
 * are one more; a batch of an environment that is not forwarded, or of nobody (no MPID and no
 * identity), stops here; with {@code customerio.forward-commerce-events} off its commerce events
 * leave it, counted as not forwarded. No Flink types: the job's parse function and the preview both
 * read records through it.
 *
 * <p>Not thread-safe: it reuses its parser and its {@link Intake}.
 */
public final class RecordIntake {

    private final BatchParser parser;
    private final boolean forwardCommerceEvents;
    private final Environments environments;
    private final Intake intake = new Intake();

    /**
     * @param forwardCommerceEvents customerio.forward-commerce-events: when off, commerce events
     *     are counted as not forwarded and leave the batch here
     * @param environments mparticle.environments: a batch of another environment goes no further
     *     (its malformed events are still dead letters: the input is bad whoever it was for)
     * @param readDeviceIds whether batches keep their device identifier, for anonymous activity
     *     stitching (customerio.anonymous-events)
     */
    public RecordIntake(
            int maxRecordBytes,
            boolean forwardCommerceEvents,
            Environments environments,
            boolean readDeviceIds) {
        this.parser = new BatchParser(maxRecordBytes, readDeviceIds);
        this.forwardCommerceEvents = forwardCommerceEvents;
        this.environments = environments;
    }

    /** The intake of the job's settings. */
    public RecordIntake(int maxRecordBytes, MappingSettings settings) {
        this(
                maxRecordBytes,
                settings.forwardCommerceEvents(),
                settings.environments(),
                settings.anonymousEvents());
    }

    /**
     * Reads one record's value.
     *
     * @param recordTimestampMs the record's time, the batch's when it has none of its own
     * @return what became of it; reused by the next call
     */
    public Intake read(byte[] value, long recordTimestampMs) {
        Intake in = intake;
        in.parsed = parser.parse(value, recordTimestampMs);
        in.batch = null;
        in.skipped = null;
        in.notForwardedEventTypes = List.of();
        in.commerceEventsNotForwarded = 0;
        if (in.parsed.isRejected()) {
            return in;
        }
        MParticleBatch batch = in.parsed.batch();
        if (!environments.forwards(batch.developmentEnvironment)) {
            in.skipped = SkipReason.ENVIRONMENT_NOT_FORWARDED;
            return in;
        }
        in.notForwardedEventTypes = in.parsed.notForwardedEventTypes();
        if (!forwardCommerceEvents) {
            int before = batch.events.size();
            batch.events.removeIf(e -> e.kind == EventKind.COMMERCE_EVENT);
            in.commerceEventsNotForwarded = before - batch.events.size();
        }
        if (batch.userKey == null) {
            // Neither an MPID nor any identity: nobody to forward to, and no key to hold state.
            in.skipped = SkipReason.NO_IDENTITY;
            return in;
        }
        in.batch = batch;
        return in;
    }

    /** What became of one record, in the order the parse stage reports it. */
    public static final class Intake {
        private ParseResult parsed;
        private MParticleBatch batch;
        private SkipReason skipped;
        private List<String> notForwardedEventTypes;
        private int commerceEventsNotForwarded;

        /** Why the whole record is a dead letter, or null when it is a usable batch. */
        public DeadLetterReason rejection() {
            return parsed.rejection();
        }

        public String rejectionDetail() {
            return parsed.rejectionDetail();
        }

        /** Malformed events of a usable batch: one dead letter for all of them when above 0. */
        public int eventRejectionCount() {
            return parsed.isRejected() ? 0 : parsed.eventRejectionCount();
        }

        public String eventRejectionSummary() {
            return parsed.eventRejectionSummary();
        }

        /** The MPID of a usable batch as text, or null; for its dead letters and skips. */
        public String mpid() {
            return parsed.isRejected() ? null : parsed.batch().mpidText();
        }

        /** Why a usable batch goes no further, or null. */
        public SkipReason skipped() {
            return skipped;
        }

        /**
         * The type of each valid event not forwarded (as the parser names it), of a batch of an
         * environment that is forwarded; commerce events are counted apart.
         */
        public List<String> notForwardedEventTypes() {
            return notForwardedEventTypes;
        }

        /** Commerce events left out of the batch: customerio.forward-commerce-events is off. */
        public int commerceEventsNotForwarded() {
            return commerceEventsNotForwarded;
        }

        /** The batch that goes on to the user's rules, or null. */
        public MParticleBatch batch() {
            return batch;
        }
    }
}
