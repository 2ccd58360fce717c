package dev.cioforwarder.job;

import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.mapping.Environments;
import dev.cioforwarder.mapping.RecordIntake;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses each Kafka record into an {@link MParticleBatch} through {@link RecordIntake} (which the
 * preview runs too), and counts and routes what it says. A record that is not a usable batch, and
 * each malformed event of a usable one, goes to the dead-letter side output with its reason: bad
 * input never fails the job.
 */
public class ParseFunction extends ProcessFunction<SourceRecord, MParticleBatch> {
    private static final long serialVersionUID = 1L;

    /** mParticle's event types; anything else is counted as "other" to bound label cardinality. */
    private static final Set<String> KNOWN_EVENT_TYPES =
            Set.of(
                    "application_state_transition",
                    "first_run",
                    "user_identity_change",
                    "user_attribute_change",
                    "session_start",
                    "session_end",
                    "commerce_event",
                    "crash_report",
                    "breadcrumb",
                    "push_registration",
                    "push_message",
                    "network_performance",
                    "uninstall",
                    "profile",
                    "media",
                    "attribution",
                    "pre_attribution",
                    "push_reaction",
                    "validation_result");

    private final int maxRecordBytes;
    private final boolean forwardCommerceEvents;
    private final Environments environments;
    private final boolean readDeviceIds;
    private transient RecordIntake intake;
    private transient Counter recordsIn;
    private transient Counter batchesParsed;
    private transient Counter eventsRejected;
    private transient Metrics.Labelled deadLetters;
    private transient Metrics.Labelled notForwarded;
    private transient Metrics.Labelled skipped;

    /**
     * @param forwardCommerceEvents customerio.forward-commerce-events: when off, commerce events
     *     are counted as not forwarded and leave the batch here, as before the setting existed
     */
    public ParseFunction(int maxRecordBytes, boolean forwardCommerceEvents) {
        this(maxRecordBytes, forwardCommerceEvents, Environments.ALL);
    }

    /**
     * @param environments mparticle.environments: a batch of another environment goes no further
     *     (its malformed events are still dead-lettered: the input is bad whoever it was for)
     */
    public ParseFunction(
            int maxRecordBytes, boolean forwardCommerceEvents, Environments environments) {
        this(maxRecordBytes, forwardCommerceEvents, environments, false);
    }

    /**
     * @param readDeviceIds whether batches keep their device identifier, for anonymous activity
     *     stitching (customerio.anonymous-events)
     */
    public ParseFunction(
            int maxRecordBytes,
            boolean forwardCommerceEvents,
            Environments environments,
            boolean readDeviceIds) {
        this.maxRecordBytes = maxRecordBytes;
        this.forwardCommerceEvents = forwardCommerceEvents;
        this.environments = environments;
        this.readDeviceIds = readDeviceIds;
    }

    @Override
    public void open(OpenContext openContext) {
        intake =
                new RecordIntake(
                        maxRecordBytes, forwardCommerceEvents, environments, readDeviceIds);
        MetricGroup group = Metrics.group(getRuntimeContext().getMetricGroup());
        recordsIn = group.counter(Metrics.RECORDS_IN);
        batchesParsed = group.counter(Metrics.BATCHES_PARSED);
        eventsRejected = group.counter(Metrics.EVENTS_REJECTED);
        deadLetters = new Metrics.Labelled(group, Metrics.REASON, Metrics.DEAD_LETTERS);
        notForwarded =
                new Metrics.Labelled(group, Metrics.EVENT_TYPE, Metrics.EVENTS_NOT_FORWARDED);
        skipped = new Metrics.Labelled(group, Metrics.REASON, Metrics.SKIPPED);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<MParticleBatch> out) {
        recordsIn.inc();
        RecordIntake.Intake in = intake.read(record.value, record.timestamp);
        long now = ctx.timerService().currentProcessingTime();
        if (in.rejection() != null) {
            deadLetter(record, in.rejection(), in.rejectionDetail(), null, ctx, now);
            return;
        }
        if (in.eventRejectionCount() > 0) {
            eventsRejected.inc(in.eventRejectionCount());
            deadLetter(
                    record,
                    DeadLetterReason.EVENT_INVALID,
                    in.eventRejectionSummary(),
                    in.mpid(),
                    ctx,
                    now);
        }
        for (String type : in.notForwardedEventTypes()) {
            notForwarded.inc(KNOWN_EVENT_TYPES.contains(type) ? type : "other");
        }
        notForwarded.inc("commerce_event", in.commerceEventsNotForwarded());
        if (in.skipped() != null) {
            skipped.inc(in.skipped().code());
            return;
        }
        MParticleBatch batch = in.batch();
        batch.sourceTopic = record.topic;
        batch.sourcePartition = record.partition;
        batch.sourceOffset = record.offset;
        batchesParsed.inc();
        out.collect(batch);
    }

    private void deadLetter(
            SourceRecord record,
            DeadLetterReason reason,
            String detail,
            String mpid,
            Context ctx,
            long now) {
        deadLetters.inc(reason.code());
        ctx.output(
                DeadLetterOutput.TAG,
                DeadLetters.forRecord(
                        reason,
                        detail,
                        record.value,
                        record.topic,
                        record.partition,
                        record.offset,
                        mpid,
                        now));
    }
}
