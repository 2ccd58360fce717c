package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.RequestLogEntry;
import dev.cioforwarder.simulator.SimulatorConfig;
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
 * Identifier changes with an App API key, through the job (on in-memory topics) and the simulator's
 * Track and App APIs: a changed Customer ID renames the person, whose profile and earlier events
 * stay theirs; a Customer ID that already belongs to somebody else is dead-lettered, not merged; in
 * an ID-only workspace a changed email reaches the person by id; a change sent while the App API
 * has not yet caught up with the Track API is applied once it has.
 */
class IdentifierChangesITCase extends JobTestSupport {

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
        produce(
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
            produce(
                    List.of(
                            batch(1, t + 60_000, "c-new", "{\"plan\":\"pro\"}", "After"),
                            batch(2, t + 60_000, "c-old-taken", "{\"plan\":\"free\"}", "Other2")));
            produce(List.of(batch(3, t, "c-3", "{}", "Third")));
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
        produce(
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
            produce(List.of(batch(11, t + 60_000, "c-b", "{\"plan\":\"pro\"}", "A2")));
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

    private static Map.Entry<String, byte[]> batchWithEmail(
            long mpid, long time, String customerId, String email, String eventName) {
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + time
                        + ",\"user_identities\":{\"customer_id\":\""
                        + customerId
                        + "\",\"email\":\""
                        + email
                        + "\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
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

    /** A simulator of its own, for a workspace unlike the shared one. */
    private static CustomerioSimulator workspace(SimulatorConfig.Builder config) throws Exception {
        return CustomerioSimulator.start(
                config.port(0).siteId(SITE_ID).apiKey(API_KEY).appApiKey("app-key").build());
    }

    @Test
    void inAnIdOnlyWorkspaceAChangedEmailReachesThePersonById() throws Exception {
        Path appKey = dir.resolve("app-api-key");
        Files.writeString(appKey, "app-key");
        long t = 1_764_400_000_000L;
        List<JsonNode> dead;
        try (CustomerioSimulator idOnly =
                workspace(SimulatorConfig.builder().idOnlyWorkspace(true))) {
            produce(List.of(batchWithEmail(21, t, "c-21", "ann@x.io", "Before")));
            JobClient job =
                    startJob(
                            settings(
                                    "customerio.endpoint",
                                    idOnly.baseUrl(),
                                    "customerio.app-api-key-file",
                                    appKey.toString(),
                                    "customerio.app-api-endpoint",
                                    idOnly.baseUrl(),
                                    "customerio.user-id-type",
                                    "customer_id",
                                    "customerio.workspace-identifiers",
                                    "id_only"));
            try {
                Await.until(
                        Duration.ofMinutes(2),
                        () -> idOnly.events().size() == 1,
                        () -> idOnly.events().toString());
                produce(List.of(batchWithEmail(21, t + 60_000, "c-21", "ann@new.x.io", "After")));
                Await.until(
                        Duration.ofMinutes(1),
                        () -> idOnly.events().size() == 2,
                        () -> idOnly.events().toString());
                dead = deadLetters(0, Duration.ofSeconds(3));
            } finally {
                Jobs.cancelAndWait(job);
            }
            var person = idOnly.personById("c-21").orElseThrow();
            assertThat(person.email()).isEqualTo("ann@new.x.io");
            assertThat(idOnly.people()).singleElement();
            assertThat(idOnly.summary().attributeUpdateFailures()).isZero();
            // Nothing asked the App API (which answers 400 to id_type=email in this workspace).
            assertThat(idOnly.requests())
                    .extracting(RequestLogEntry::path)
                    .noneMatch(path -> path.endsWith("/attributes"));
        }
        assertThat(dead).isEmpty();
    }

    @Test
    void aChangeSentBeforeTheAppApiCaughtUpIsAppliedOnceItHas() throws Exception {
        Path appKey = dir.resolve("app-api-key");
        Files.writeString(appKey, "app-key");
        long t = 1_764_400_000_000L;
        List<JsonNode> dead;
        // The App API finds a person only 10 s after the Track API took them; the job's grace is
        // its default, 30 s.
        try (CustomerioSimulator lagging =
                workspace(SimulatorConfig.builder().appApiLag(Duration.ofSeconds(10)))) {
            produce(List.of(batch(31, t, "c-old", "{\"plan\":\"pro\"}", "Before")));
            JobClient job =
                    startJob(
                            settings(
                                    "customerio.endpoint",
                                    lagging.baseUrl(),
                                    "customerio.app-api-key-file",
                                    appKey.toString(),
                                    "customerio.app-api-endpoint",
                                    lagging.baseUrl()));
            try {
                Await.until(
                        Duration.ofMinutes(2),
                        () -> lagging.events().size() == 1,
                        () -> lagging.events().toString());
                produce(List.of(batch(31, t + 60_000, "c-new", "{\"plan\":\"pro\"}", "After")));
                Await.until(
                        Duration.ofMinutes(1),
                        () -> lagging.events().size() == 2,
                        () -> lagging.events().toString());
                dead = deadLetters(0, Duration.ofSeconds(3));
            } finally {
                Jobs.cancelAndWait(job);
            }
            // Renamed, not a second profile made by the new id.
            assertThat(lagging.personById("c-old")).isEmpty();
            var renamed = lagging.personById("c-new").orElseThrow();
            assertThat(lagging.people()).singleElement();
            assertThat(lagging.events())
                    .extracting(StoredEvent::cioId)
                    .containsOnly(renamed.cioId());
            // The first look-ups came while the App API lagged, and found nobody.
            assertThat(lagging.requests())
                    .filteredOn(r -> r.path().equals("/v1/customers/c-old/attributes"))
                    .extracting(RequestLogEntry::status)
                    .startsWith(404)
                    .endsWith(200);
        }
        assertThat(dead).isEmpty();
    }
}
