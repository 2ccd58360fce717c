package dev.cioforwarder.job;

import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes a dead letter as one JSON record, keyed by MPID so one user's letters stay in order. */
public class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter element, KafkaSinkContext context, Long timestamp) {
        byte[] key = element.mpid == null ? null : element.mpid.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, timestamp, key, DeadLetterJson.toJson(element));
    }
}
