package dev.cioforwarder.job;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.AnonymousStitch;
import dev.cioforwarder.mapping.DeviceVisit;
import dev.cioforwarder.mapping.EmailClaim;
import dev.cioforwarder.mapping.EmailVerdict;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.settings.ForwarderSettings;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job: Kafka → parse → keyBy user → per-user state (RocksDB) → request batcher → AsyncIO
 * delivery to Customer.io, with every refusal on an exactly-once dead-letter topic; beside it,
 * parse → keyBy push token → token index (RocksDB) → keyBy user → the per-user state's second
 * input.
 *
 * <p>{@link #build} wires the production topology from settings between the ends it is given
 * ({@link ForwarderEnds}: Kafka for the job); {@code main} and the integration tests both use it,
 * so the tests run this topology, not a copy.
 */
public final class ForwarderJob {
    private static final Logger LOG = LoggerFactory.getLogger(ForwarderJob.class);

    /** Used when the cluster configuration does not enable checkpointing. */
    static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private ForwarderJob() {}

    public static void main(String[] args) throws Exception {
        ForwarderSettings settings = ForwarderSettings.fromArgs(args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, settings, ForwarderEnds.kafka(settings));
        env.execute(settings.jobName());
    }

    /** Where the built requests go. */
    public enum Delivery {
        /** To Customer.io: the job. */
        CUSTOMERIO,
        /** Nowhere: {@link DiscardingBenchmarkJob}, the benchmark's measure of delivery's cost. */
        DISCARD
    }

    /**
     * Adds the forwarder's topology to {@code env} on its Kafka ends ({@link ForwarderEnds#kafka}),
     * creating the job's feedback topic when it is missing.
     */
    public static void build(StreamExecutionEnvironment env, ForwarderSettings settings)
            throws Exception {
        build(env, settings, ForwarderEnds.kafka(settings));
    }

    /** Adds the forwarder's topology to {@code env}, reading and writing at {@code ends}. */
    public static void build(
            StreamExecutionEnvironment env, ForwarderSettings settings, ForwarderEnds ends)
            throws Exception {
        build(env, settings, ends, Delivery.CUSTOMERIO);
    }

    static void build(
            StreamExecutionEnvironment env,
            ForwarderSettings settings,
            ForwarderEnds ends,
            Delivery delivery)
            throws Exception {
        LOG.info("Building the forwarder with settings: {}", settings);
        ends.prepare();
        configure(env, settings);

        DataStream<SourceRecord> records =
                env.fromSource(
                                ends.batches(),
                                WatermarkStrategy.noWatermarks(),
                                ends.sourceName("mParticle batches"))
                        .uid(OperatorIds.SOURCE);

        SingleOutputStreamOperator<MParticleBatch> batches =
                records.process(
                                new ParseFunction(
                                        settings.maxRecordBytes(),
                                        settings.mapping().forwardCommerceEvents(),
                                        settings.mapping().environments(),
                                        settings.mapping().anonymousEvents()),
                                MParticleBatchTypeInfo.INSTANCE)
                        .uid(OperatorIds.PARSER)
                        .name("Parse mParticle batches");

        // Erasure requests join the batch stream before the keyBy, so each reaches its user's
        // state in order with the user's batches.
        SingleOutputStreamOperator<MParticleBatch> erasureRequests = null;
        DataStream<MParticleBatch> userInput = batches;
        if (ends.hasErasures()) {
            erasureRequests =
                    env.fromSource(
                                    ends.erasureRequests(),
                                    WatermarkStrategy.noWatermarks(),
                                    ends.sourceName("Erasure requests"))
                            .uid(OperatorIds.ERASURE_SOURCE)
                            .process(new ErasureParseFunction(), MParticleBatchTypeInfo.INSTANCE)
                            .uid(OperatorIds.ERASURE_PARSER)
                            .name("Parse erasure requests");
            userInput = batches.union(erasureRequests);
        }

        // Push devices: the token index, keyed by token, decides who each token belongs to and
        // tells the users concerned; the user-state stage sends what it decided, addressed and
        // ordered with the user's other operations. Always in the topology (idle unless
        // customerio.forward-devices), so the setting never changes the job's operators.
        DataStream<UserSignal> deviceChanges =
                batches.process(new PushTokenSightingFunction(settings.mapping().forwardDevices()))
                        .uid(OperatorIds.PUSH_TOKEN_SIGHTINGS)
                        .name("Push token sightings")
                        .keyBy(new TokenSightingKeySelector())
                        .process(
                                new DeviceTokenFunction(
                                        settings.stateTtl(),
                                        settings.mapping().deviceRefreshIntervalMs()))
                        .uid(OperatorIds.DEVICE_TOKENS)
                        .name("Push token owners")
                        .map(UserSignal::of, TypeInformation.of(UserSignal.class))
                        .uid(OperatorIds.DEVICE_CHANGE_SIGNALS)
                        .name("Device changes for the users");

        // Anonymous activity stitching: the device index, keyed by device identifier, gives the
        // anonymous MPIDs seen on a device to the next user known there; the user-state stage
        // sends the merges. Always in the topology (idle unless customerio.anonymous-events).
        KeyedStream<DeviceVisit, String> deviceVisits =
                batches.process(
                                new DeviceVisitSightingFunction(
                                        settings.mapping().anonymousEvents(),
                                        settings.mapping().userIdType()),
                                TypeInformation.of(DeviceVisit.class))
                        .uid(OperatorIds.DEVICE_VISIT_SIGHTINGS)
                        .name("Device visits")
                        .keyBy(new DeviceVisitKeySelector());
        SingleOutputStreamOperator<AnonymousStitch> stitches =
                erasureRequests != null
                        ? deviceVisits
                                .connect(
                                        erasureRequests.broadcast(
                                                DeviceVisitorsFunction.ERASED_MPIDS))
                                .process(
                                        new DeviceVisitorsFunction(settings.stateTtl()),
                                        TypeInformation.of(AnonymousStitch.class))
                        : deviceVisits.process(
                                new DeviceVisitorsFunction.WithoutErasures(settings.stateTtl()),
                                TypeInformation.of(AnonymousStitch.class));
        DataStream<UserSignal> stitchSignals =
                stitches.uid(OperatorIds.DEVICE_VISITORS)
                        .name("Device visitors")
                        .map(UserSignal::of, TypeInformation.of(UserSignal.class))
                        .uid(OperatorIds.ANONYMOUS_STITCH_SIGNALS)
                        .name("Anonymous activity for the users");

        // Shared emails: the email index, keyed by email, tells a customer whose email another
        // customer holds in Customer.io; the user-state stage leaves it out of their identifies.
        // Always in the topology (idle with customerio.guard-shared-emails=false).
        DataStream<UserSignal> emailVerdicts =
                batches.process(
                                new EmailClaimFunction(settings.mapping()),
                                TypeInformation.of(EmailClaim.class))
                        .uid(OperatorIds.EMAIL_CLAIMS)
                        .name("Email claims")
                        .keyBy(new EmailClaimKeySelector())
                        .process(
                                new EmailOwnersFunction(settings.stateTtl()),
                                TypeInformation.of(EmailVerdict.class))
                        .uid(OperatorIds.EMAIL_OWNERS)
                        .name("Email owners")
                        .map(UserSignal::of, TypeInformation.of(UserSignal.class))
                        .uid(OperatorIds.EMAIL_VERDICT_SIGNALS)
                        .name("Email verdicts for the users");

        // What delivery reported back (parked operations, seals, settled answers), read from the
        // job's own feedback topic: written in the checkpoint's Kafka transaction, so each record
        // reaches its user's state exactly once.
        SingleOutputStreamOperator<UserSignal> feedback =
                env.fromSource(
                                ends.feedback(),
                                WatermarkStrategy.noWatermarks(),
                                ends.sourceName("Delivery feedback"))
                        .uid(OperatorIds.FEEDBACK_SOURCE)
                        .process(new FeedbackParseFunction())
                        .uid(OperatorIds.FEEDBACK_PARSER)
                        .name("Read delivery feedback");

        SingleOutputStreamOperator<CustomerioOperation> operations =
                userInput
                        .keyBy(new UserKeySelector())
                        .connect(
                                deviceChanges
                                        .union(stitchSignals, emailVerdicts, feedback)
                                        .keyBy(new UserSignalKeySelector()))
                        .process(
                                new UserStateFunction(
                                        settings.mapping(),
                                        settings.stateTtl(),
                                        settings.retryPolicy(),
                                        settings.waitingCapacity(),
                                        asyncTimeoutMs(settings) + RESCALE_HOLD_MARGIN_MS))
                        .uid(OperatorIds.USER_STATE)
                        .name("Per-user state and mapping rules");

        long checkpointGuardMs =
                CheckpointProgressGuard.limitFor(
                        ForwarderEnds.transactionTimeoutMs(settings),
                        env.getCheckpointConfig().getCheckpointTimeout());
        if (checkpointGuardMs <= 0) {
            throw new IllegalArgumentException(
                    "transaction.timeout.ms ("
                            + ForwarderEnds.transactionTimeoutMs(settings)
                            + " ms) must leave room beyond execution.checkpointing.timeout ("
                            + env.getCheckpointConfig().getCheckpointTimeout()
                            + " ms): a sink's Kafka transaction stays open for up to a checkpoint"
                            + " timeout, and the job must be able to fail and restart before the"
                            + " broker aborts it. Raise transaction.timeout.ms (kafka.property.*"
                            + " or kafka.properties-file) or lower the checkpoint timeout.");
        }
        SingleOutputStreamOperator<DeliveryRequest> requests =
                operations
                        .transform(
                                "Batch requests",
                                // Not copied again by AsyncIO: the batcher never touches a request
                                // it emitted, and delivery never changes one.
                                HandedOverTypeInfo.of(DeliveryRequest.class),
                                new RequestBatcherOperator(
                                        settings.batchMaxBytes(),
                                        settings.batchLinger().toMillis(),
                                        checkpointGuardMs,
                                        settings.maxInFlight()))
                        .uid(OperatorIds.BATCHER);

        // Unordered: a request completes when its answer comes, whatever came before it; per-user
        // order is kept inside the function (PerUserSequencer), and requests restored from a
        // checkpoint are parked and put back in order by their users' state, so the queue's
        // order after a restore does not matter.
        SingleOutputStreamOperator<DeliveryOutcome> deliveryOutcomes =
                delivery == Delivery.DISCARD
                        ? requests.process(
                                        new DiscardingDelivery(),
                                        TypeInformation.of(DeliveryOutcome.class))
                                .uid(OperatorIds.DELIVERY)
                                .name("Discard requests (benchmark)")
                        : AsyncDataStream.unorderedWait(
                                        requests,
                                        new CustomerioDeliveryFunction(settings.deliverySettings()),
                                        asyncTimeoutMs(settings),
                                        TimeUnit.MILLISECONDS,
                                        settings.maxInFlight())
                                .uid(OperatorIds.DELIVERY)
                                .name("Deliver to Customer.io");

        DataStream<DeadLetter> deliveryDeadLetters =
                deliveryOutcomes
                        .flatMap(
                                (DeliveryOutcome outcome, Collector<DeadLetter> out) -> {
                                    if (outcome.deadLetter != null) {
                                        out.collect(outcome.deadLetter);
                                    }
                                },
                                TypeInformation.of(DeadLetter.class))
                        .uid(OperatorIds.DELIVERY_DEAD_LETTERS)
                        .name("Delivery dead letters");

        deliveryOutcomes
                .flatMap(
                        (DeliveryOutcome outcome, Collector<DeliveryFeedback> out) -> {
                            if (outcome.feedback != null) {
                                out.collect(outcome.feedback);
                            }
                        },
                        TypeInformation.of(DeliveryFeedback.class))
                .uid(OperatorIds.DELIVERY_FEEDBACK)
                .name("Delivery feedback")
                .sinkTo(ends.feedbackSink())
                .uid(OperatorIds.FEEDBACK_SINK)
                .name(ends.sinkName("Delivery feedback"));

        DataStream<DeadLetter> deadLetters =
                batches.getSideOutput(DeadLetterOutput.TAG)
                        .union(
                                operations.getSideOutput(DeadLetterOutput.TAG),
                                deliveryDeadLetters,
                                feedback.getSideOutput(DeadLetterOutput.TAG));
        if (erasureRequests != null) {
            deadLetters = deadLetters.union(erasureRequests.getSideOutput(DeadLetterOutput.TAG));
            deliveryOutcomes
                    .flatMap(
                            (DeliveryOutcome outcome, Collector<ErasureOutcome> out) -> {
                                if (outcome.erasure != null) {
                                    out.collect(outcome.erasure);
                                }
                            },
                            TypeInformation.of(ErasureOutcome.class))
                    .uid(OperatorIds.DELIVERY_ERASURE_OUTCOMES)
                    .name("Erasure outcomes of deliveries")
                    .union(operations.getSideOutput(ErasureOutput.TAG))
                    .sinkTo(ends.erasureOutcomeSink())
                    .uid(OperatorIds.ERASURE_OUTCOME_SINK)
                    .name(ends.sinkName("Erasure outcomes"));
        }
        deadLetters
                .sinkTo(ends.deadLetterSink())
                .uid(OperatorIds.DEAD_LETTER_SINK)
                .name(ends.sinkName("Dead letters"));
    }

    private static void configure(StreamExecutionEnvironment env, ForwarderSettings settings) {
        Configuration pipeline = new Configuration();
        // No Kryo anywhere, and no operator without a declared uid: both would break upgrades.
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        pipeline.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        // Every operator emits new objects and keeps none it received beyond its call (the
        // batcher holds operations, which nothing upstream touches again), so chained operators
        // may hand records over without copying them.
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(pipeline);
        env.setMaxParallelism(settings.maxParallelism());
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            // Offsets, state, the AsyncIO queue and the dead-letter transactions only commit on
            // checkpoints: without them nothing would ever be acknowledged.
            LOG.warn(
                    "Checkpointing is not configured; enabling exactly-once checkpoints every {}",
                    DEFAULT_CHECKPOINT_INTERVAL);
            env.enableCheckpointing(
                    DEFAULT_CHECKPOINT_INTERVAL.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }
        env.getCheckpointConfig().setCheckpointingConsistencyMode(CheckpointingMode.EXACTLY_ONCE);
    }

    /** Added to the delivery step's longest stay for the rescale hold (clock differences). */
    static final long RESCALE_HOLD_MARGIN_MS = 60_000;

    /**
     * The AsyncIO timeout: the watchdog for an answer that never comes, well past everything a
     * request may legitimately spend in delivery (its in-slot retries, the unexpected-status
     * budget, the App API lag grace of an identifier change, a request timeout on either side). It
     * never fires for a slow but healthy Customer.io, and when it does it parks the request's
     * operations, loudly.
     */
    static long asyncTimeoutMs(ForwarderSettings settings) {
        RetryPolicy policy = settings.retryPolicy();
        return policy.inSlotMs()
                + policy.unexpectedStatusMs()
                + 2 * settings.requestTimeout().toMillis()
                + settings.appApiLagGrace().toMillis()
                + Duration.ofMinutes(2).toMillis();
    }
}
