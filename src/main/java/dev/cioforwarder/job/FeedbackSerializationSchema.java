package dev.cioforwarder.job;

import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryFeedbackCodec;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes delivery feedback keyed by user: all of a user's records land in one partition, so they
 * are read back in the order they were written.
 */
public class FeedbackSerializationSchema
        implements KafkaRecordSerializationSchema<DeliveryFeedback> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public FeedbackSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeliveryFeedback element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                timestamp,
                element.userKey.getBytes(StandardCharsets.UTF_8),
                DeliveryFeedbackCodec.encode(element));
    }
}
