package dev.cioforwarder.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/**
 * Writes to an {@link InMemoryTopic} the value the job's own Kafka serialization schema gives each
 * element, so what a test (or the job's feedback source) reads back is the bytes the broker would
 * hold.
 */
final class InMemoryTopicSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final KafkaRecordSerializationSchema<T> schema;

    InMemoryTopicSink(String topic, KafkaRecordSerializationSchema<T> schema) {
        this.topic = topic;
        this.schema = schema;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        InMemoryTopic target = InMemoryTopic.named(topic);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                long now = System.currentTimeMillis();
                target.append(schema.serialize(element, null, now).value(), now);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
