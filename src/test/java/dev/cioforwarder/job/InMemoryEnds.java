package dev.cioforwarder.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.datagen.functions.FromElementsGeneratorFunction;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** Ends for the job without a broker ({@link ForwarderEnds#of}). */
final class InMemoryEnds {

    private InMemoryEnds() {}

    /** Ends that read nothing and drop what they are given; without erasure requests. */
    static ForwarderEnds empty() {
        return ForwarderEnds.of("in memory", records(), discard(), records(), discard());
    }

    /**
     * Ends on {@link InMemoryTopic}s, as the job's Kafka ends are on topics: batches read from
     * {@code batches}, dead letters written to {@code deadLetters}, and the feedback loop, written
     * to {@code feedback} and read back from it.
     */
    static ForwarderEnds topics(String batches, String deadLetters, String feedback) {
        return ForwarderEnds.of(
                "in memory",
                new InMemoryTopicSource(batches),
                new InMemoryTopicSink<>(
                        deadLetters, new DeadLetterSerializationSchema(deadLetters)),
                new InMemoryTopicSource(feedback),
                new InMemoryTopicSink<>(feedback, new FeedbackSerializationSchema(feedback)));
    }

    /**
     * {@code ends} reading erasure requests from {@code requests}, outcomes to {@code outcomes}.
     */
    static ForwarderEnds withErasures(ForwarderEnds ends, String requests, String outcomes) {
        return ends.withErasures(
                new InMemoryTopicSource(requests),
                new InMemoryTopicSink<>(outcomes, new ErasureOutcomeSerializationSchema(outcomes)));
    }

    /** A bounded source of {@code records}, in this order. */
    static Source<SourceRecord, ?, ?> records(SourceRecord... records) {
        TypeInformation<SourceRecord> type = TypeInformation.of(SourceRecord.class);
        return new DataGeneratorSource<>(
                new FromElementsGeneratorFunction<>(type, records), records.length, type);
    }

    static <T> Sink<T> discard() {
        return new DiscardingSink<>();
    }
}
