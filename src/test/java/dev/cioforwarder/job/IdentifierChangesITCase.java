package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Identifier changes with an App API key, through Kafka, the job and the simulator's Track and App
 * APIs: a changed Customer ID renames the person, whose profile and earlier events stay theirs; a
 * Customer ID that already belongs to somebody else is dead-lettered, not merged.
 */
class IdentifierChangesITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static Map.Entry<String, byte[]> batch(
            long mpid, long time, String customerId, String attributes, String eventName) {
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + time
                        + ",\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\""
                        + customerId
                        + "\"}],\"user_attributes\":"
                        + attributes
                        + ",\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                        + eventName
                        + "\",\"source_message_id\":\""
                        + mpid
                        + "-"
                        + eventName
                        + "\",\"timestamp_unixtime_ms\":"
                        + (time - 1_000)
                        + "}}]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aChangedCustomerIdRenamesThePersonWithTheirProfileAndEvents() throws Exception {
        Path appKey = dir.resolve("app-api-key");
        Files.writeString(appKey, "app-key");
        long t = 1_764_400_000_000L;
        kafka.produce(
                topic,
                List.of(
                        batch(1, t, "c-old", "{\"plan\":\"pro\"}", "Before"),
                        batch(2, t, "c-taken", "{\"plan\":\"free\"}", "Other")));
        JobClient job =
                startJob(
                        settings(
                                "customerio.app-api-key-file",
                                appKey.toString(),
                                "customerio.app-api-endpoint",
                                customerio.baseUrl()));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() == 2,
                    () -> customerio.events().toString());
            kafka.produce(
                    topic,
                    List.of(
                            batch(1, t + 60_000, "c-new", "{\"plan\":\"pro\"}", "After"),
                            batch(2, t + 60_000, "c-old-taken", "{\"plan\":\"free\"}", "Other2")));
            kafka.produce(topic, List.of(batch(3, t, "c-3", "{}", "Third")));
            Await.until(
                    Duration.ofMinutes(1),
                    () -> customerio.events().size() == 5,
                    () -> customerio.events().toString());
        } finally {
            Jobs.cancelAndWait(job);
        }
        // Renamed, not duplicated: one person, the profile and both events theirs.
        assertThat(customerio.personById("c-old")).isEmpty();
        var renamed = customerio.personById("c-new").orElseThrow();
        assertThat(renamed.attributes()).containsKey("plan");
        assertThat(customerio.events())
                .filteredOn(e -> e.name().equals("Before") || e.name().equals("After"))
                .extracting(StoredEvent::cioId)
                .containsOnly(renamed.cioId());
        // User 2 was renamed too; user 3 is new: three people in all.
        assertThat(customerio.personById("c-old-taken")).isPresent();
        assertThat(customerio.personById("c-taken")).isEmpty();
        assertThat(customerio.people()).hasSize(3);
        List<JsonNode> dead = deadLetters(0, Duration.ofSeconds(2));
        assertThat(dead).isEmpty();
    }

    @Test
    void aCustomerIdThatBelongsToSomebodyElseIsDeadLetteredNotMerged() throws Exception {
        Path appKey = dir.resolve("app-api-key");
        Files.writeString(appKey, "app-key");
        long t = 1_764_400_000_000L;
        kafka.produce(
                topic,
                List.of(
                        batch(11, t, "c-a", "{\"plan\":\"pro\"}", "A"),
                        batch(12, t, "c-b", "{\"plan\":\"free\"}", "B")));
        JobClient job =
                startJob(
                        settings(
                                "customerio.app-api-key-file",
                                appKey.toString(),
                                "customerio.app-api-endpoint",
                                customerio.baseUrl()));
        List<JsonNode> dead;
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() == 2,
                    () -> customerio.events().toString());
            // User 11 now carries user 12's Customer ID.
            kafka.produce(topic, List.of(batch(11, t + 60_000, "c-b", "{\"plan\":\"pro\"}", "A2")));
            dead = deadLetters(1, Duration.ofMinutes(1));
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.get("reason").asText()).isEqualTo("identifier_conflict");
                            assertThat(d.get("payload_text").asText())
                                    .contains("c-a")
                                    .contains("c-b");
                        });
        assertThat(customerio.personById("c-a")).isPresent();
        assertThat(customerio.personById("c-b")).isPresent();
    }
}
