package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * customerio.anonymous-events through Kafka, the job and the simulator: what a user did before
 * logging in ends up on their person, by Customer.io's event merging.
 */
class AnonymousActivityITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static Map.Entry<String, byte[]> record(String json) {
        return new AbstractMap.SimpleEntry<>("9001", json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param inBatch customerio.anonymous-events-in-batch: anonymous events inside /api/v2/batch by
     *     identifiers.anonymous_id (the default), or one POST /api/v1/events each
     */
    @ParameterizedTest(name = "anonymous-events-in-batch={0}")
    @ValueSource(booleans = {true, false})
    void activityBeforeLoginIsMergedIntoThePersonWhenTheyAreIdentified(boolean inBatch)
            throws Exception {
        long t = 1_764_400_000_000L;
        kafka.produce(
                topic,
                List.of(
                        record(
                                "{\"mpid\":9001,\"timestamp_unixtime_ms\":"
                                        + t
                                        + ",\"events\":[{\"event_type\":\"screen_view\",\"data\":{"
                                        + "\"screen_name\":\"Pricing\",\"source_message_id\":\"anon-1\","
                                        + "\"timestamp_unixtime_ms\":"
                                        + (t - 5_000)
                                        + "}},{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Started"
                                        + " Trial\",\"source_message_id\":\"anon-2\","
                                        + "\"timestamp_unixtime_ms\":"
                                        + (t - 1_000)
                                        + "}}]}")));
        JobClient job =
                startJob(
                        settings(
                                "customerio.anonymous-events",
                                "true",
                                "customerio.anonymous-events-in-batch",
                                Boolean.toString(inBatch)));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.anonymousEvents().size() == 2,
                    () -> customerio.anonymousEvents().toString());
            assertThat(customerio.people()).isEmpty();
            // Which form carried them: the simulator records the API of every stored event.
            assertThat(customerio.anonymousEvents())
                    .extracting(StoredEvent::api)
                    .containsOnly(inBatch ? "v2" : "v1");

            kafka.produce(
                    topic,
                    List.of(
                            record(
                                    "{\"mpid\":9001,\"timestamp_unixtime_ms\":"
                                            + (t + 60_000)
                                            + ",\"user_identities\":[{\"identity_type\":\"customer_id\","
                                            + "\"identity\":\"cust-9001\"}],\"events\":["
                                            + "{\"event_type\":\"custom_event\",\"data\":{"
                                            + "\"event_name\":\"Subscribed\",\"source_message_id\":\"known-1\","
                                            + "\"timestamp_unixtime_ms\":"
                                            + (t + 59_000)
                                            + "}}]}")));
            Await.until(
                    Duration.ofMinutes(1),
                    () -> customerio.events().size() == 3,
                    () -> customerio.events() + " " + customerio.anonymousEvents());
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(customerio.anonymousEvents()).isEmpty();
        assertThat(customerio.events()).extracting(StoredEvent::personId).containsOnly("cust-9001");
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactlyInAnyOrder("Pricing", "Started_Trial", "Subscribed");
        assertThat(customerio.personById("cust-9001")).isPresent();
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }
}
