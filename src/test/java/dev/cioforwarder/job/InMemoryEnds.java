package dev.cioforwarder.job;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.datagen.functions.FromElementsGeneratorFunction;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** Ends for the job without a broker ({@link ForwarderEnds#of}): records given, output dropped. */
final class InMemoryEnds {

    private InMemoryEnds() {}

    /** Ends that read nothing and drop what they are given; without erasure requests. */
    static ForwarderEnds empty() {
        return ForwarderEnds.of("in memory", records(), discard(), records(), discard());
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
