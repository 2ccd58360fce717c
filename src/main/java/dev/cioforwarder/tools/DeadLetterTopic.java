package dev.cioforwarder.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.settings.PropertiesFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The dead-letter topic on its Kafka cluster: the clients' settings, and reading the committed dead
 * letters a {@link DeadLetterFilter} asks for.
 *
 * @param commandConfig Kafka client properties (e.g. SASL/SSL), or {@code null}
 */
record DeadLetterTopic(String bootstrapServers, Path commandConfig, String name) {

    /** A dead letter and where it sits in the dead-letter topic. */
    record Letter(int partition, long offset, JsonNode json) {}

    /** The settings every client of the tool starts from: the cluster and --command-config. */
    Properties clientProperties() throws IOException {
        Properties p = new Properties();
        if (commandConfig != null) {
            p.putAll(PropertiesFile.read(commandConfig));
        }
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    KafkaConsumer<byte[], byte[]> consumer() throws IOException {
        Properties p = clientProperties();
        // Dead letters are written in transactions: only committed ones are real.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every committed dead letter matching the filter, in topic order, up to its maximum. */
    List<Letter> read(DeadLetterFilter filter) throws IOException {
        int max = filter.max();
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(name, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("dead-letter topic " + name + " does not exist");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(name, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (letters.size() < max && !caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode json = Json.mapper().readTree(r.value());
                    if (filter.matches(r.partition(), r.offset(), json) && letters.size() < max) {
                        letters.add(new Letter(r.partition(), r.offset(), json));
                    }
                }
            }
        }
        return letters;
    }

    private static boolean caughtUp(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
