package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Erasure through Kafka, the job and the simulator: the person is deleted in Customer.io with their
 * activity, an older batch arriving later never brings them back, a newer one starts a new person,
 * each request's outcome is on the outcome topic (exactly-once), and a record that is not a request
 * is a dead letter.
 */
class ErasureITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static Map.Entry<String, byte[]> record(String key, String json) {
        return new AbstractMap.SimpleEntry<>(key, json.getBytes(StandardCharsets.UTF_8));
    }

    private static Map.Entry<String, byte[]> batch(
            long mpid, long time, String customerId, String attributes, String eventName) {
        return record(
                Long.toString(mpid),
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + time
                        + ",\"user_identities\":{\"customer_id\":\""
                        + customerId
                        + "\"},\"user_attributes\":"
                        + attributes
                        + ",\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                        + eventName
                        + "\",\"source_message_id\":\""
                        + mpid
                        + "-"
                        + eventName
                        + "\",\"timestamp_unixtime_ms\":"
                        + (time - 1_000)
                        + "}}]}");
    }

    @Test
    void erasesThePersonEverywhereAndRecordsEachOutcome() throws Exception {
        String erasures = topic + ".erasures";
        String outcomes = erasures + ".outcomes";
        kafka.createTopic(erasures, 1);
        kafka.createTopic(outcomes, 1);
        long t = 1_764_400_000_000L;
        kafka.produce(
                topic,
                List.of(
                        batch(21, t, "c-21", "{\"plan\":\"pro\"}", "Signed_Up"),
                        batch(22, t, "c-22", "{\"plan\":\"free\"}", "Signed_Up")));
        JobClient job = startJob(settings("privacy.erasure-topic", erasures));
        List<JsonNode> outcomeRecords = new ArrayList<>();
        List<JsonNode> dead;
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() == 2,
                    () -> customerio.events().toString());

            kafka.produce(
                    erasures,
                    List.of(
                            record(
                                    "21",
                                    "{\"request_id\":\"r-21\",\"mpid\":21,\"time_ms\":"
                                            + (t + 60_000)
                                            + "}"),
                            // Nobody the forwarder or the request can address: not_found.
                            record("99", "{\"request_id\":\"r-99\",\"mpid\":99}"),
                            record(null, "erase user 22 please")));
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.readCommitted(outcomes, 2, Duration.ofMinutes(1))) {
                outcomeRecords.add(MAPPER.readTree(r.value()));
            }
            assertThat(customerio.personById("c-21")).isEmpty();

            // A batch from before the request, uploaded late, then a newer one (same key, same
            // partition: in this order).
            kafka.produce(
                    topic,
                    List.of(
                            batch(21, t + 30_000, "c-21", "{\"plan\":\"pro\"}", "Late"),
                            batch(21, t + 120_000, "c-21", "{}", "Came_Back")));
            Await.until(
                    Duration.ofMinutes(1),
                    () -> customerio.events().stream().anyMatch(e -> e.name().equals("Came_Back")),
                    () -> customerio.events().toString());
            dead = deadLetters(1, Duration.ofSeconds(30));
        } finally {
            Jobs.cancelAndWait(job);
        }

        assertThat(outcomeRecords)
                .extracting(o -> o.get("request_id").asText() + ":" + o.get("outcome").asText())
                .containsExactlyInAnyOrder("r-21:done", "r-99:not_found");
        assertThat(outcomeRecords)
                .filteredOn(o -> o.get("request_id").asText().equals("r-21"))
                .singleElement()
                .satisfies(o -> assertThat(o.get("mpid").asText()).isEqualTo("21"));
        // The old person went with their activity; the one who came back is new: no "plan", no
        // "Signed_Up", and the late batch never arrived.
        var back = customerio.personById("c-21").orElseThrow();
        assertThat(back.attributes()).doesNotContainKey("plan");
        assertThat(customerio.events())
                .filteredOn(e -> e.cioId().equals(back.cioId()))
                .extracting(StoredEvent::name)
                .containsExactly("Came_Back");
        assertThat(customerio.events()).extracting(StoredEvent::name).doesNotContain("Late");
        assertThat(customerio.personById("c-22")).isPresent();
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.get("reason").asText())
                                    .isEqualTo("erasure_request_invalid");
                            assertThat(d.get("source").get("topic").asText()).isEqualTo(erasures);
                        });
    }
}
