package dev.cioforwarder.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.CustomerioOperation;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeadLetterJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void aRecordDeadLetterCarriesReasonStageSourceAndThePayload() throws Exception {
        DeadLetter d =
                DeadLetters.forRecord(
                        DeadLetterReason.INVALID_JSON,
                        "unexpected end (line 1, column 9)",
                        "{\"mpid\":".getBytes(StandardCharsets.UTF_8),
                        "in",
                        3,
                        42,
                        null,
                        1000);
        JsonNode json = MAPPER.readTree(DeadLetterJson.toJson(d));
        assertThat(json.get("reason").asText()).isEqualTo("invalid_json");
        assertThat(json.get("stage").asText()).isEqualTo("parse");
        assertThat(json.get("source").toString())
                .isEqualTo("{\"topic\":\"in\",\"partition\":3,\"offset\":42}");
        assertThat(json.get("payload_kind").asText()).isEqualTo("record");
        assertThat(json.get("payload_text").asText()).isEqualTo("{\"mpid\":");
        assertThat(json.has("mpid")).isFalse();
        assertThat(json.get("dead_lettered_at_ms").asLong()).isEqualTo(1000);
    }

    @Test
    void bytesThatAreNotUtf8TravelAsBase64AndRoundTripExactly() throws Exception {
        byte[] payload = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        DeadLetter d =
                DeadLetters.forRecord(
                        DeadLetterReason.INVALID_JSON, "bad utf-8", payload, "in", 0, 1, null, 1);
        JsonNode json = MAPPER.readTree(DeadLetterJson.toJson(d));
        assertThat(json.has("payload_text")).isFalse();
        assertThat(Base64.getDecoder().decode(json.get("payload_base64").asText()))
                .isEqualTo(payload);
    }

    @Test
    void aDeliveryDeadLetterCarriesCustomerioAnswer() throws Exception {
        CustomerioOperation op = new CustomerioOperation();
        op.body = "{\"action\":\"event\"}".getBytes(StandardCharsets.UTF_8);
        op.mpid = "77";
        op.sourceTopic = "in";
        op.sourcePartition = 1;
        op.sourceOffset = 9;
        DeadLetter d =
                DeadLetters.forOperation(
                        DeadLetterReason.REJECTED_BY_CUSTOMERIO,
                        "refused",
                        op,
                        207,
                        "{\"batch_index\":0,\"reason\":\"invalid\"}",
                        5);
        JsonNode json = MAPPER.readTree(DeadLetterJson.toJson(d));
        assertThat(json.get("stage").asText()).isEqualTo("delivery");
        assertThat(json.get("mpid").asText()).isEqualTo("77");
        assertThat(json.get("customerio_response").get("status").asInt()).isEqualTo(207);
        assertThat(json.get("payload_kind").asText()).isEqualTo("operation");
        assertThat(json.get("payload_text").asText()).isEqualTo("{\"action\":\"event\"}");
    }

    @Test
    void hugePayloadsAreCutToFitAKafkaRecord() {
        byte[] big = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'a');
        DeadLetter d =
                DeadLetters.forRecord(
                        DeadLetterReason.RECORD_TOO_LARGE, "big", big, "in", 0, 1, null, 1);
        assertThat(d.payloadTruncated).isTrue();
        assertThat(DeadLetterJson.toJson(d).length).isLessThan(1024 * 1024);
    }

    /** Kafka's default limit is 1,048,588 bytes per record batch; keep a margin for its framing. */
    private static final int KAFKA_DEFAULT_LIMIT_WITH_MARGIN = 1_000_000;

    static Stream<Arguments> hugePayloadsOfEveryKind() {
        return Stream.of(
                Arguments.of("quotes (escaped to 2 bytes)", "\"a\":\"b\",", 3 * 1024 * 1024),
                Arguments.of("emoji (escaped to 12 bytes)", "😀", 3 * 1024 * 1024),
                Arguments.of("control characters (escaped to 6 bytes)", "\u0001", 3 * 1024 * 1024),
                Arguments.of("NULs", "\u0000", 3 * 1024 * 1024),
                Arguments.of("two-byte characters cut inside one", "xé", 20 * 1024 * 1024),
                Arguments.of(
                        "mParticle JSON", "{\"event_type\":\"custom_event\"},", 20 * 1024 * 1024));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hugePayloadsOfEveryKind")
    void aHugePayloadOfAnyKindIsCutToFitAKafkaRecordAndStaysText(String kind, String unit, int size)
            throws Exception {
        byte[] unitBytes = unit.getBytes(StandardCharsets.UTF_8);
        byte[] big = new byte[size];
        for (int i = 0; i < size; i++) {
            big[i] = unitBytes[i % unitBytes.length];
        }
        DeadLetter d =
                DeadLetters.forRecord(
                        DeadLetterReason.RECORD_TOO_LARGE, "big", big, "in", 0, 1, "5", 1);
        byte[] json = DeadLetterJson.toJson(d);

        assertThat(json.length).isLessThan(KAFKA_DEFAULT_LIMIT_WITH_MARGIN);
        JsonNode letter = MAPPER.readTree(json);
        assertThat(letter.get("payload_truncated").asBoolean()).isTrue();
        assertThat(letter.has("payload_text")).as("a UTF-8 prefix stays text").isTrue();
        byte[] kept = letter.get("payload_text").asText().getBytes(StandardCharsets.UTF_8);
        assertThat(kept.length).isPositive();
        assertThat(Arrays.copyOf(big, kept.length)).isEqualTo(kept);
    }

    @Test
    void aHugePayloadThatIsNotUtf8IsCutForBase64() throws Exception {
        byte[] big = new byte[5 * 1024 * 1024];
        Arrays.fill(big, (byte) 0xFF);
        DeadLetter d =
                DeadLetters.forRecord(
                        DeadLetterReason.RECORD_TOO_LARGE, "big", big, "in", 0, 1, null, 1);
        byte[] json = DeadLetterJson.toJson(d);
        assertThat(json.length).isLessThan(KAFKA_DEFAULT_LIMIT_WITH_MARGIN);
        assertThat(Base64.getDecoder().decode(MAPPER.readTree(json).get("payload_base64").asText()))
                .hasSize(DeadLetters.MAX_PAYLOAD_BYTES / 4 * 3);
    }

    @Test
    void theFittingPrefixNeverWritesMoreThanTheBudget() throws Exception {
        Random random = new Random(77);
        String[] units = {"a", "\"", "\\", "\n", "\u0001", "\u0000", "é", "€", "😀", "\u007F"};
        for (int round = 0; round < 3_000; round++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int parts = random.nextInt(60);
            for (int i = 0; i < parts; i++) {
                out.writeBytes(
                        units[random.nextInt(units.length)].getBytes(StandardCharsets.UTF_8));
            }
            if (random.nextInt(5) == 0) {
                out.write(0x80 + random.nextInt(0x80)); // sometimes not UTF-8 at all
            }
            byte[] payload = out.toByteArray();
            int budget = random.nextInt(120);
            int keep = DeadLetterJson.fittingPrefix(payload, budget);
            byte[] prefix = Arrays.copyOf(payload, keep);

            DeadLetter d = new DeadLetter();
            d.payload = prefix;
            JsonNode letter = MAPPER.readTree(DeadLetterJson.toJson(d));
            DeadLetter empty = new DeadLetter();
            empty.payload = new byte[0];
            int written = DeadLetterJson.toJson(d).length - DeadLetterJson.toJson(empty).length;
            if (letter.has("payload_base64")) {
                written -= "payload_base64".length() - "payload_text".length();
            }
            assertThat(written)
                    .as("payload %s, budget %d", Arrays.toString(payload), budget)
                    .isLessThanOrEqualTo(budget);
        }
    }
}
