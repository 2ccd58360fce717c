package dev.cioforwarder.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetterJson;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.testing.LocalKafkaBroker;
import dev.cioforwarder.testing.SharedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Listing and replaying dead letters against a real broker. */
class DeadLetterToolITCase {

    private LocalKafkaBroker kafka;
    private String input;
    private String dlq;

    @BeforeEach
    void topics() throws Exception {
        kafka = SharedKafka.get();
        input = "in-" + UUID.randomUUID().toString().substring(0, 8);
        dlq = input + ".customerio-dlq";
        kafka.createTopic(input, 1);
        kafka.createTopic(dlq, 1);
    }

    private String run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--bootstrap-servers";
        all[args.length + 1] = kafka.bootstrapServers();
        all[args.length + 2] = "--topic";
        all[args.length + 3] = dlq;
        DeadLetterTool.run(all, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Map.Entry<String, byte[]> entry(String key, byte[] value) {
        return new AbstractMap.SimpleEntry<>(key, value);
    }

    @Test
    void listsAndReplaysEachKindOfDeadLetter() throws Exception {
        byte[] goodBatch = "{\"mpid\":5,\"events\":[]}".getBytes(StandardCharsets.UTF_8);
        // The original batch sits in the input topic at offset 0.
        kafka.produce(input, List.of(entry("5", goodBatch)));

        byte[] broken = "{\"mpid\":".getBytes(StandardCharsets.UTF_8);
        CustomerioOperation op = new CustomerioOperation();
        op.body = "{\"action\":\"event\"}".getBytes(StandardCharsets.UTF_8);
        op.mpid = "5";
        op.sourceTopic = input;
        op.sourcePartition = 0;
        op.sourceOffset = 0;
        kafka.produce(
                dlq,
                List.of(
                        entry(
                                null,
                                DeadLetterJson.toJson(
                                        DeadLetters.forRecord(
                                                DeadLetterReason.INVALID_JSON,
                                                "cut short",
                                                broken,
                                                input,
                                                0,
                                                9,
                                                null,
                                                1))),
                        entry(
                                "5",
                                DeadLetterJson.toJson(
                                        DeadLetters.forOperation(
                                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                                "refused",
                                                op,
                                                207,
                                                "{}",
                                                2))),
                        entry(
                                "5",
                                DeadLetterJson.toJson(
                                        DeadLetters.forOperation(
                                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                                "refused too",
                                                op,
                                                207,
                                                "{}",
                                                3)))));

        String listing = run("list", "--payload");
        assertThat(listing)
                .contains("0:0  invalid_json")
                .contains("0:1  rejected_by_customerio")
                .contains("customerio=207")
                .contains("payload: {\"mpid\":")
                .contains("3 dead letter(s)");
        assertThat(run("list", "--reason", "invalid_json")).contains("1 dead letter(s)");

        String replay = run("replay", "--reason", "rejected_by_customerio");
        // Two dead letters from one batch: the batch is replayed once, read back from its offset.
        assertThat(replay).contains("1 record(s) replayed, 0 missing");
        List<String> values =
                kafka.readCommitted(input, 2, Duration.ofSeconds(30)).stream()
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                        .toList();
        assertThat(values)
                .containsExactly(
                        new String(goodBatch, StandardCharsets.UTF_8),
                        new String(goodBatch, StandardCharsets.UTF_8));

        String dryRun = run("replay", "--offsets", "0:0", "--dry-run");
        assertThat(dryRun).contains("would replay").contains("1 record(s) to replay");
        assertThat(kafka.readCommitted(input, 3, Duration.ofSeconds(3))).hasSize(2);

        run("replay", "--offsets", "0:0");
        assertThat(kafka.readCommitted(input, 3, Duration.ofSeconds(30)))
                .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .contains("{\"mpid\":");
    }
}
