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

    @Test
    void findsWhatTheDeadLettersHoldAboutOnePerson() throws Exception {
        // A parse-stage dead letter knows no MPID; its payload names the person's email.
        byte[] unparsed =
                "{\"mpid\":8,\"user_identities\":{\"email\":\"Ann@Example.com\"},"
                        .getBytes(StandardCharsets.UTF_8);
        CustomerioOperation annOp = new CustomerioOperation();
        annOp.body = "{\"action\":\"event\"}".getBytes(StandardCharsets.UTF_8);
        annOp.mpid = "8";
        CustomerioOperation otherOp = new CustomerioOperation();
        otherOp.body = "{\"action\":\"event\"}".getBytes(StandardCharsets.UTF_8);
        otherOp.mpid = "9";
        kafka.produce(
                dlq,
                List.of(
                        entry(
                                null,
                                DeadLetterJson.toJson(
                                        DeadLetters.forRecord(
                                                DeadLetterReason.INVALID_JSON,
                                                "cut short",
                                                unparsed,
                                                input,
                                                0,
                                                1,
                                                null,
                                                1))),
                        entry(
                                "8",
                                DeadLetterJson.toJson(
                                        DeadLetters.forOperation(
                                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                                "refused",
                                                annOp,
                                                400,
                                                "{}",
                                                2))),
                        entry(
                                "9",
                                DeadLetterJson.toJson(
                                        DeadLetters.forOperation(
                                                DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                                                "refused",
                                                otherOp,
                                                400,
                                                "{}",
                                                3)))));

        assertThat(run("list", "--mpid", "8"))
                .contains("0:1  rejected_by_customerio")
                .doesNotContain("0:2")
                .contains("1 dead letter(s)");
        assertThat(run("list", "--contains", "ann@example.com"))
                .contains("0:0  invalid_json")
                .contains("1 dead letter(s)");

        // purge names them and the ways to remove them, and changes nothing.
        String purge = run("purge", "--mpid", "8");
        assertThat(purge)
                .contains("0:1  rejected_by_customerio")
                .contains("1 dead letter(s) hold this person's data in " + dlq)
                .contains("retention.ms")
                .contains("\"partition\":0,\"offset\":2")
                .contains("key 8");
        assertThat(kafka.readCommitted(dlq, 3, Duration.ofSeconds(10))).hasSize(3);
        assertThat(run("purge")).contains("name the person with --mpid");
    }
}
