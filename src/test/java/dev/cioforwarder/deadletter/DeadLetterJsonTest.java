package dev.cioforwarder.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.CustomerioOperation;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

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
}
