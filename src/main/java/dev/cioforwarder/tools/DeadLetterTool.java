package dev.cioforwarder.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.settings.PropertiesFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reads the dead-letter topic and replays chosen records into the input topic after a fix.
 *
 * <pre>
 * scripts/dead-letters.sh list   [--reason R] [--stage S] [--mpid M] [--contains TEXT] [--max N] [--payload]
 * scripts/dead-letters.sh replay [--reason R] [--stage S] [--mpid M] [--offsets P:O,P:O] [--to TOPIC] [--dry-run]
 *   common: --bootstrap-servers HOST:PORT  --topic DLQ_TOPIC  --command-config FILE (Kafka client
 *           properties, e.g. SASL/SSL)
 * </pre>
 *
 * Replay sends the original mParticle batch again: the dead letter's own payload when it is the
 * record (parse stage), or the record read back from its source topic, partition and offset (for
 * mapping and delivery dead letters, as long as Kafka still retains it). A batch is replayed once
 * however many of its events were dead-lettered; re-forwarding its other events is harmless, since
 * Customer.io drops repeated event ids and identify is idempotent.
 *
 * <p>{@code --mpid} and {@code --contains} find what the dead letters hold about one person (for an
 * erasure: Kafka cannot delete single records, see the Erasure section of docs/mapping.md).
 */
public final class DeadLetterTool {

    private final Map<String, String> options;
    private final PrintStream out;

    private DeadLetterTool(Map<String, String> options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = run(args, System.out);
        } catch (org.apache.kafka.common.KafkaException | IllegalArgumentException e) {
            // An unreachable broker or a missing topic: say so, without a stack trace.
            System.err.println("dead-letters: " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || !List.of("list", "replay", "purge").contains(args[0])) {
            out.println(
                    "usage: dead-letters list|replay|purge [--bootstrap-servers B] [--topic DLQ]"
                            + " [--reason R] [--stage S] [--mpid M] [--contains TEXT] [--max N]"
                            + " [--payload] [--offsets P:O,..] [--to TOPIC] [--dry-run]"
                            + " [--command-config FILE]");
            return 2;
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("bootstrap-servers", "127.0.0.1:9092");
        options.put("topic", "mparticle-batches.customerio-dlq");
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                out.println("dead-letters: unexpected argument " + arg);
                return 2;
            }
            String key = arg.substring(2);
            boolean flag = key.equals("payload") || key.equals("dry-run");
            options.put(key, flag ? "true" : (i + 1 < args.length ? args[++i] : ""));
        }
        DeadLetterTool tool = new DeadLetterTool(options, out);
        switch (args[0]) {
            case "list":
                return tool.list();
            case "purge":
                return tool.purge();
            default:
                return tool.replay();
        }
    }

    /** A dead letter and where it sits in the dead-letter topic. */
    private record Letter(int partition, long offset, JsonNode json) {}

    private Properties clientProperties() throws IOException {
        Properties p = new Properties();
        String config = options.get("command-config");
        if (config != null) {
            p.putAll(PropertiesFile.read(Path.of(config)));
        }
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.get("bootstrap-servers"));
        return p;
    }

    private KafkaConsumer<byte[], byte[]> consumer() throws IOException {
        Properties p = clientProperties();
        // Dead letters are written in transactions: only committed ones are real.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every committed dead letter matching the filters. */
    private List<Letter> read() throws IOException {
        String topic = options.get("topic");
        String reason = options.get("reason");
        String stage = options.get("stage");
        String mpid = options.get("mpid");
        String contains = options.get("contains");
        Set<String> offsets = new LinkedHashSet<>();
        if (options.get("offsets") != null) {
            for (String o : options.get("offsets").split(",")) {
                offsets.add(o.trim());
            }
        }
        int max =
                Integer.parseInt(options.getOrDefault("max", Integer.toString(Integer.MAX_VALUE)));
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException(
                        "dead-letter topic " + topic + " does not exist");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (letters.size() < max && !caughtUp(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode json = Json.mapper().readTree(r.value());
                    boolean matches =
                            (reason == null || reason.equals(json.path("reason").asText()))
                                    && (stage == null || stage.equals(json.path("stage").asText()))
                                    && (mpid == null || mpid.equals(json.path("mpid").asText()))
                                    && (contains == null || mentions(json, contains))
                                    && (offsets.isEmpty()
                                            || offsets.contains(r.partition() + ":" + r.offset()));
                    if (matches && letters.size() < max) {
                        letters.add(new Letter(r.partition(), r.offset(), json));
                    }
                }
            }
        }
        return letters;
    }

    /**
     * Whether the dead letter mentions {@code text} (case-insensitively) anywhere: its detail, its
     * payload, or its payload decoded from base64.
     */
    private static boolean mentions(JsonNode letter, String text) {
        String needle = text.toLowerCase(java.util.Locale.ROOT);
        if (letter.toString().toLowerCase(java.util.Locale.ROOT).contains(needle)) {
            return true;
        }
        if (letter.hasNonNull("payload_base64")) {
            byte[] payload = Base64.getDecoder().decode(letter.get("payload_base64").asText());
            return new String(payload, StandardCharsets.UTF_8)
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains(needle);
        }
        return false;
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

    private int list() throws IOException {
        boolean payload = options.containsKey("payload");
        List<Letter> letters = read();
        for (Letter l : letters) {
            JsonNode j = l.json();
            JsonNode source = j.path("source");
            out.printf(
                    "%d:%d  %-24s %-9s source=%s/%s@%s mpid=%s%s%n    %s%n",
                    l.partition(),
                    l.offset(),
                    j.path("reason").asText(),
                    j.path("stage").asText(),
                    source.path("topic").asText(),
                    source.path("partition").asText(),
                    source.path("offset").asText(),
                    j.path("mpid").asText("-"),
                    j.has("customerio_response")
                            ? " customerio=" + j.path("customerio_response").path("status").asText()
                            : "",
                    j.path("detail").asText());
            if (payload) {
                out.println(
                        "    payload: "
                                + j.path("payload_text").asText(j.path("payload_base64").asText()));
            }
        }
        out.println(letters.size() + " dead letter(s)");
        return 0;
    }

    /**
     * For an erasure: which dead letters hold the person's data, and how to get rid of them. Kafka
     * cannot delete single records, so this rewrites nothing; it names the records and the ways
     * that remove them (retention, deleting a partition's prefix, or compaction by MPID key).
     */
    private int purge() throws IOException {
        String mpid = options.get("mpid");
        if (mpid == null && options.get("contains") == null) {
            out.println(
                    "dead-letters purge: name the person with --mpid ID (and/or --contains"
                            + " TEXT, e.g. their email, for dead letters that know no MPID)");
            return 2;
        }
        List<Letter> letters = read();
        Map<Integer, Long> lastOffsetByPartition = new java.util.TreeMap<>();
        for (Letter l : letters) {
            JsonNode j = l.json();
            out.printf(
                    "%d:%d  %-24s %-9s mpid=%s dead_lettered_at_ms=%s%n",
                    l.partition(),
                    l.offset(),
                    j.path("reason").asText(),
                    j.path("stage").asText(),
                    j.path("mpid").asText("-"),
                    j.path("dead_lettered_at_ms").asText("-"));
            lastOffsetByPartition.merge(l.partition(), l.offset(), Math::max);
        }
        String topic = options.get("topic");
        out.println(letters.size() + " dead letter(s) hold this person's data in " + topic);
        if (letters.isEmpty()) {
            return 0;
        }
        out.println();
        out.println("Kafka cannot delete single records; nothing was changed. To remove these:");
        out.println(
                "  1. Expire them: they go when the topic's retention passes (retention.ms; set it"
                        + " shorter than your erasure deadline, e.g. 30 days:");
        out.println(
                "     kafka-configs.sh --bootstrap-server B --alter --entity-type topics"
                        + " --entity-name "
                        + topic
                        + " --add-config retention.ms=2592000000).");
        StringBuilder offsets = new StringBuilder("{\"partitions\":[");
        boolean first = true;
        for (Map.Entry<Integer, Long> e : lastOffsetByPartition.entrySet()) {
            offsets.append(first ? "" : ",")
                    .append("{\"topic\":\"")
                    .append(topic)
                    .append("\",\"partition\":")
                    .append(e.getKey())
                    .append(",\"offset\":")
                    .append(e.getValue() + 1)
                    .append('}');
            first = false;
        }
        offsets.append("],\"version\":1}");
        out.println(
                "  2. Or delete everything up to and including them now (other people's earlier"
                        + " dead letters in these partitions go too: replay or copy what you"
                        + " still need first):");
        out.println(
                "     kafka-delete-records.sh --bootstrap-server B --offset-json-file <(echo '"
                        + offsets
                        + "')");
        out.println(
                "  3. Or, on a topic with cleanup.policy=compact,delete, dead letters are keyed by"
                        + " MPID: a tombstone (key "
                        + (mpid != null ? mpid : "<MPID>")
                        + ", null value) removes that MPID's letters at the next compaction."
                        + " (Compaction also keeps only each MPID's latest dead letter.) Dead"
                        + " letters without an MPID (parse stage) are unkeyed: only 1 or 2 remove"
                        + " them.");
        return 0;
    }

    private int replay() throws IOException {
        boolean dryRun = options.containsKey("dry-run");
        List<Letter> letters = read();
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
        Properties producerProperties = clientProperties();
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                producerProperties,
                                new ByteArraySerializer(),
                                new ByteArraySerializer());
                KafkaConsumer<byte[], byte[]> sources = consumer()) {
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
                String target = options.getOrDefault("to", source.path("topic").asText());
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
