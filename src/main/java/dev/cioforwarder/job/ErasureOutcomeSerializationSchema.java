package dev.cioforwarder.job;

import dev.cioforwarder.json.Json;
import dev.cioforwarder.privacy.ErasureOutcome;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes an erasure outcome as one JSON record, keyed by the request id. */
public class ErasureOutcomeSerializationSchema
        implements KafkaRecordSerializationSchema<ErasureOutcome> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public ErasureOutcomeSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ErasureOutcome element, KafkaSinkContext context, Long timestamp) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("request_id", element.requestId);
        json.put("mpid", element.mpid);
        json.put("outcome", element.outcome);
        json.put("detail", element.detail);
        json.put("at_ms", element.atMs);
        try {
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp,
                    element.requestId.getBytes(StandardCharsets.UTF_8),
                    Json.mapper().writeValueAsBytes(json));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
