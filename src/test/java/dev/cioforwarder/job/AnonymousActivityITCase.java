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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * customerio.anonymous-events through the job (on in-memory topics) and the simulator: what a user
 * did before logging in ends up on their person, by Customer.io's event merging.
 */
class AnonymousActivityITCase extends JobTestSupport {

    @Override
    protected boolean onBroker() {
        return false;
    }

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
        produce(
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

            produce(
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

    private static Map.Entry<String, byte[]> onDevice(
            long mpid, String androidUuid, long timeMs, String identities, String eventName) {
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + timeMs
                        + ",\"device_info\":{\"platform\":\"Android\",\"android_uuid\":\""
                        + androidUuid
                        + "\"},\"user_identities\":"
                        + identities
                        + ",\"events\":[{\"event_type\":\"custom_event\",\"data\":{"
                        + "\"event_name\":\""
                        + eventName
                        + "\",\"source_message_id\":\""
                        + eventName
                        + "-"
                        + mpid
                        + "\",\"timestamp_unixtime_ms\":"
                        + (timeMs - 1_000)
                        + "}}]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A returning user on a new install (or after a logout) is anonymous under another MPID than
     * the one that logs in: the device index gives that MPID's activity to the user who logs in on
     * the same device, and only to them. Runs with an erasure topic, so the index is the one
     * erasure requests are broadcast to.
     */
    @Test
    void anotherMpidsAnonymousActivityOnTheSameDeviceJoinsTheUserWhoLogsInThere() throws Exception {
        String erasures = topic + ".erasures";
        createTopic(erasures, 1);
        createTopic(erasures + ".outcomes", 1);
        long t = 1_764_400_000_000L;
        produce(
                List.of(
                        onDevice(9101, "a1b2c3d4e5f60718", t, "[]", "Browsed_Pricing"),
                        onDevice(9103, "ffff000011112222", t, "[]", "Browsed_Elsewhere")));
        JobClient job =
                startJob(
                        settings(
                                "customerio.anonymous-events",
                                "true",
                                "privacy.erasure-topic",
                                erasures));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.anonymousEvents().size() == 2,
                    () -> customerio.anonymousEvents().toString());
            produce(
                    List.of(
                            onDevice(
                                    9102,
                                    "A1B2C3D4E5F60718",
                                    t + 60_000,
                                    "[{\"identity_type\":\"customer_id\",\"identity\":\"cust-9102\"}]",
                                    "Logged_In")));
            Await.until(
                    Duration.ofMinutes(1),
                    () -> customerio.events().size() == 2,
                    () -> customerio.events() + " " + customerio.anonymousEvents());
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(customerio.events()).extracting(StoredEvent::personId).containsOnly("cust-9102");
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactlyInAnyOrder("Browsed_Pricing", "Logged_In");
        assertThat(customerio.anonymousEvents())
                .as("another device's anonymous activity stays anonymous")
                .extracting(StoredEvent::name)
                .containsExactly("Browsed_Elsewhere");
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }
}
