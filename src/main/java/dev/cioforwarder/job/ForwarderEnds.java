package dev.cioforwarder.job;

import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.privacy.ErasureOutcome;
import dev.cioforwarder.settings.ForwarderSettings;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.ThrowingRunnable;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where the job reads and writes, apart from what it does in between ({@link ForwarderJob#build}):
 * the mParticle batches it reads, the dead letters it writes, its feedback topic (written by
 * delivery, read back by the users' state), and, when erasure requests are read, their topic and
 * the outcomes written.
 *
 * <p>{@link #kafka} gives the job's ends; tests give in-memory ones ({@link #of}), so that the
 * topology can be built and run without a broker.
 */
public final class ForwarderEnds {

    private final String sourcesAt;
    private final String sinksAt;
    private final ThrowingRunnable<Exception> prepare;
    private final Source<SourceRecord, ?, ?> batches;
    private final Source<SourceRecord, ?, ?> feedback;
    private final Sink<DeliveryFeedback> feedbackSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final Source<SourceRecord, ?, ?> erasureRequests;
    private final Sink<ErasureOutcome> erasureOutcomeSink;

    private ForwarderEnds(
            String sourcesAt,
            String sinksAt,
            ThrowingRunnable<Exception> prepare,
            Source<SourceRecord, ?, ?> batches,
            Source<SourceRecord, ?, ?> feedback,
            Sink<DeliveryFeedback> feedbackSink,
            Sink<DeadLetter> deadLetterSink,
            Source<SourceRecord, ?, ?> erasureRequests,
            Sink<ErasureOutcome> erasureOutcomeSink) {
        if ((erasureRequests == null) != (erasureOutcomeSink == null)) {
            throw new IllegalArgumentException(
                    "erasure requests and their outcomes come together: both or neither");
        }
        this.sourcesAt = Objects.requireNonNull(sourcesAt);
        this.sinksAt = Objects.requireNonNull(sinksAt);
        this.prepare = Objects.requireNonNull(prepare);
        this.batches = Objects.requireNonNull(batches, "batches");
        this.feedback = Objects.requireNonNull(feedback, "feedback");
        this.feedbackSink = Objects.requireNonNull(feedbackSink, "feedbackSink");
        this.deadLetterSink = Objects.requireNonNull(deadLetterSink, "deadLetterSink");
        this.erasureRequests = erasureRequests;
        this.erasureOutcomeSink = erasureOutcomeSink;
    }

    /**
     * The job's ends: the Kafka topics of {@code settings}, the sinks exactly-once, each with its
     * own transactional id prefix. {@link #prepare} creates the feedback topic when it is missing
     * (the only step that reaches the broker); erasure requests are read when {@code erasure.topic}
     * is set.
     */
    public static ForwarderEnds kafka(ForwarderSettings settings) {
        boolean erasures = settings.erasureTopic() != null;
        return new ForwarderEnds(
                "Kafka",
                "Kafka, exactly-once",
                () -> FeedbackTopic.ensureExists(settings),
                source(settings),
                feedbackSource(settings),
                feedbackSink(settings),
                deadLetterSink(settings),
                erasures ? erasureSource(settings) : null,
                erasures ? erasureOutcomeSink(settings) : null);
    }

    /**
     * Ends of the caller's making, without erasure requests ({@link #withErasures} adds them);
     * {@code at} names them in the operators' names, as "Kafka" does the job's.
     */
    public static ForwarderEnds of(
            String at,
            Source<SourceRecord, ?, ?> batches,
            Sink<DeadLetter> deadLetterSink,
            Source<SourceRecord, ?, ?> feedback,
            Sink<DeliveryFeedback> feedbackSink) {
        return new ForwarderEnds(
                at, at, () -> {}, batches, feedback, feedbackSink, deadLetterSink, null, null);
    }

    /** These ends, reading erasure requests from {@code requests} and writing their outcomes. */
    public ForwarderEnds withErasures(
            Source<SourceRecord, ?, ?> requests, Sink<ErasureOutcome> outcomes) {
        return new ForwarderEnds(
                sourcesAt,
                sinksAt,
                prepare,
                batches,
                feedback,
                feedbackSink,
                deadLetterSink,
                Objects.requireNonNull(requests, "requests"),
                Objects.requireNonNull(outcomes, "outcomes"));
    }

    /** Makes the ends ready before the job is built: the job's feedback topic exists. */
    void prepare() throws Exception {
        prepare.run();
    }

    /** The name of the operator reading {@code what}: "mParticle batches (Kafka)". */
    String sourceName(String what) {
        return what + " (" + sourcesAt + ")";
    }

    /** The name of the operator writing {@code what}: "Dead letters (Kafka, exactly-once)". */
    String sinkName(String what) {
        return what + " (" + sinksAt + ")";
    }

    Source<SourceRecord, ?, ?> batches() {
        return batches;
    }

    Source<SourceRecord, ?, ?> feedback() {
        return feedback;
    }

    Sink<DeliveryFeedback> feedbackSink() {
        return feedbackSink;
    }

    Sink<DeadLetter> deadLetterSink() {
        return deadLetterSink;
    }

    /** Whether erasure requests are read (and their outcomes written). */
    boolean hasErasures() {
        return erasureRequests != null;
    }

    /** The erasure requests; null unless {@link #hasErasures}. */
    Source<SourceRecord, ?, ?> erasureRequests() {
        return erasureRequests;
    }

    /** Where erasure outcomes go; null unless {@link #hasErasures}. */
    Sink<ErasureOutcome> erasureOutcomeSink() {
        return erasureOutcomeSink;
    }

    static KafkaSource<SourceRecord> source(ForwarderSettings settings) {
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.topics())
                .setGroupId(settings.groupId())
                .setStartingOffsets(startingOffsets(settings.startingOffsets()))
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(sourceProperties(settings))
                .build();
    }

    /**
     * The erasure topic's source. It starts from the committed offsets, else the earliest, whatever
     * {@code kafka.starting-offsets} says: an erasure request must never be skipped.
     */
    static KafkaSource<SourceRecord> erasureSource(ForwarderSettings settings) {
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.erasureTopic())
                .setGroupId(settings.groupId())
                .setStartingOffsets(
                        startingOffsets(ForwarderSettings.StartingOffsets.COMMITTED_OR_EARLIEST))
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(sourceProperties(settings))
                .build();
    }

    /**
     * The Kafka consumer properties the source is built with: {@code kafka.properties-file} and
     * {@code kafka.property.*} (security settings among them). The builder adds what it owns
     * (bootstrap servers, group id, deserializers).
     */
    static Properties sourceProperties(ForwarderSettings settings) {
        Properties properties = new Properties();
        properties.putAll(settings.kafkaProperties());
        return properties;
    }

    private static OffsetsInitializer startingOffsets(ForwarderSettings.StartingOffsets offsets) {
        switch (offsets) {
            case EARLIEST:
                return OffsetsInitializer.earliest();
            case LATEST:
                return OffsetsInitializer.latest();
            case COMMITTED_OR_LATEST:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
            case COMMITTED_OR_EARLIEST:
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /**
     * The feedback topic's source: committed offsets, else the earliest, whatever {@code
     * kafka.starting-offsets} says (a parked operation must never be skipped); read_committed, so
     * only what a completed checkpoint's transaction holds is read.
     */
    static KafkaSource<SourceRecord> feedbackSource(ForwarderSettings settings) {
        Properties properties = sourceProperties(settings);
        properties.setProperty("isolation.level", "read_committed");
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.feedbackTopic())
                .setGroupId(settings.groupId())
                .setStartingOffsets(
                        startingOffsets(ForwarderSettings.StartingOffsets.COMMITTED_OR_EARLIEST))
                .setDeserializer(new SourceRecordDeserializer())
                .setProperties(properties)
                .build();
    }

    static KafkaSink<DeliveryFeedback> feedbackSink(ForwarderSettings settings) {
        return KafkaSink.<DeliveryFeedback>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(deadLetterSinkProperties(settings))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // Its own prefix: two sinks sharing one would abort each other's transactions.
                .setTransactionalIdPrefix(settings.deadLetterTransactionalIdPrefix() + "-feedback")
                .setRecordSerializer(new FeedbackSerializationSchema(settings.feedbackTopic()))
                .build();
    }

    /** The sinks' transaction.timeout.ms: the job's default unless the Kafka properties set one. */
    static long transactionTimeoutMs(ForwarderSettings settings) {
        return Long.parseLong(
                deadLetterSinkProperties(settings).getProperty("transaction.timeout.ms"));
    }

    static KafkaSink<DeadLetter> deadLetterSink(ForwarderSettings settings) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(deadLetterSinkProperties(settings))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(settings.deadLetterTransactionalIdPrefix())
                .setRecordSerializer(new DeadLetterSerializationSchema(settings.deadLetterTopic()))
                .build();
    }

    static KafkaSink<ErasureOutcome> erasureOutcomeSink(ForwarderSettings settings) {
        return KafkaSink.<ErasureOutcome>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setKafkaProducerConfig(deadLetterSinkProperties(settings))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // Its own prefix: two sinks sharing one would abort each other's transactions.
                .setTransactionalIdPrefix(settings.deadLetterTransactionalIdPrefix() + "-erasure")
                .setRecordSerializer(
                        new ErasureOutcomeSerializationSchema(settings.erasureOutcomeTopic()))
                .build();
    }

    /**
     * The Kafka producer properties the dead-letter sink is built with: the same client properties
     * as the source (so a SASL_SSL cluster is reached the same way), after the job's transaction
     * timeout.
     */
    static Properties deadLetterSinkProperties(ForwarderSettings settings) {
        Properties properties = new Properties();
        // Longer than any checkpoint may take, within the broker's default 15 minute maximum.
        properties.setProperty("transaction.timeout.ms", "900000");
        properties.putAll(settings.kafkaProperties());
        return properties;
    }
}
