package dev.cioforwarder.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.tools.DeadLetterTopic.Letter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the original mParticle batches of dead letters again: the dead letter's own payload when it
 * is the record (parse stage), or the record read back from its source topic, partition and offset
 * (for mapping and delivery dead letters, as long as Kafka still retains it). A batch is replayed
 * once however many of its events were dead-lettered.
 */
final class DeadLetterReplay {

    private final DeadLetterTopic topic;
    private final PrintStream out;

    DeadLetterReplay(DeadLetterTopic topic, PrintStream out) {
        this.topic = topic;
        this.out = out;
    }

    /**
     * Replays the letters' batches, each to {@code to} or else back to its source topic; with
     * {@code dryRun}, only says what it would send. Returns 0, or 1 when a source record is gone.
     */
    int replay(List<Letter> letters, String to, boolean dryRun) throws IOException {
        // One replay per original record, in dead-letter order.
        Map<String, JsonNode> bySource = new LinkedHashMap<>();
        for (Letter l : letters) {
            JsonNode source = l.json().path("source");
            bySource.putIfAbsent(
                    source.path("topic").asText()
                            + "/"
                            + source.path("partition").asText()
                            + "@"
                            + source.path("offset").asText(),
                    l.json());
        }
        int replayed = 0;
        int missing = 0;
        Properties producerProperties = topic.clientProperties();
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                producerProperties,
                                new ByteArraySerializer(),
                                new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> sources = topic.consumer()) {
            for (Map.Entry<String, JsonNode> e : bySource.entrySet()) {
                JsonNode letter = e.getValue();
                JsonNode source = letter.path("source");
                byte[] value = originalRecord(letter, sources);
                if (value == null) {
                    out.println(
                            "missing  "
                                    + e.getKey()
                                    + ": the source record is no longer in Kafka; the dead letter"
                                    + " holds only the "
                                    + letter.path("payload_kind").asText());
                    missing++;
                    continue;
                }
                String target = to != null ? to : source.path("topic").asText();
                byte[] key =
                        letter.hasNonNull("mpid")
                                ? letter.get("mpid").asText().getBytes(StandardCharsets.UTF_8)
                                : null;
                if (!dryRun) {
                    producer.send(new ProducerRecord<>(target, key, value));
                }
                out.println(
                        (dryRun ? "would replay " : "replayed ")
                                + e.getKey()
                                + " -> "
                                + target
                                + " ("
                                + value.length
                                + " bytes)");
                replayed++;
            }
            producer.flush();
        }
        out.println(
                replayed
                        + " record(s) "
                        + (dryRun ? "to replay" : "replayed")
                        + ", "
                        + missing
                        + " missing");
        return missing == 0 ? 0 : 1;
    }

    /** The original mParticle batch: from the letter itself, or read back from its source. */
    private static byte[] originalRecord(JsonNode letter, KafkaConsumer<byte[], byte[]> consumer) {
        if (letter.path("payload_kind").asText().equals("record")
                && !letter.path("payload_truncated").asBoolean(false)) {
            if (letter.has("payload_text")) {
                return letter.get("payload_text").asText().getBytes(StandardCharsets.UTF_8);
            }
            return Base64.getDecoder().decode(letter.path("payload_base64").asText());
        }
        JsonNode source = letter.path("source");
        TopicPartition tp =
                new TopicPartition(source.path("topic").asText(), source.path("partition").asInt());
        long offset = source.path("offset").asLong();
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() == offset) {
                    return r.value();
                }
                if (r.offset() > offset) {
                    return null; // compacted or deleted
                }
            }
            if (consumer.position(tp) > offset) {
                return null;
            }
        }
        return null;
    }
}
