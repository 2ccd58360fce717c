package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.RequestLogEntry;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.TestBatches;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The App API refusing its key holds back only the user whose Customer ID changes: their identifier
 * change waits in their state with everything of theirs after it (none of it arrives while the key
 * is refused), while every other user's Track traffic is delivered in full; once the App API takes
 * the key again the change is applied (one person, renamed) and the user's waiting events follow,
 * in order, addressed to the new id.
 */
class AppApiRefusalITCase extends JobTestSupport {

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

    private static final long T = 1_764_400_000_000L;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final long MPID = 41;

    @Test
    void onlyTheChangingUserWaitsWhileTheAppApiRefusesItsKey(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        Path appKey = dir.resolve("app-api-key");
        Files.writeString(appKey, "app-key");
        TestBatches before = TestBatches.generate(71, 1_100_000, 60, 150, 4);
        TestBatches during = TestBatches.generate(72, 1_200_000, 60, 300, 4);
        produce(before.records());
        produce(
                List.of(
                        UserBatch.of(MPID, T, "c-old")
                                .attributes("{\"plan\":\"pro\"}")
                                .event("Before", 1)
                                .record()));
        JobClient job =
                startJob(
                        settings(
                                "customerio.app-api-key-file",
                                appKey.toString(),
                                "customerio.app-api-endpoint",
                                customerio.baseUrl()));
        URI rest = cluster.getRestAddress().get();
        int othersBefore = before.expectedEvents().size();
        int othersAll = othersBefore + during.expectedEvents().size();
        try {
            awaitEvents(othersBefore + 1);
            customerio.setFaults(Faults.none().appApiUnauthorized(true));

            // The user changes their Customer ID, and goes on sending; everyone else too.
            List<Map.Entry<String, byte[]>> changing = new ArrayList<>();
            changing.add(
                    UserBatch.of(MPID, T + 60_000, "c-new")
                            .attributes("{\"plan\":\"pro\"}")
                            .event("After", 2)
                            .record());
            for (int i = 1; i <= 4; i++) {
                changing.add(
                        UserBatch.of(MPID, T + 60_000 + i * 10_000L, "c-new")
                                .attributes("{\"plan\":\"pro\"}")
                                .event("After", 2 + i)
                                .record());
            }
            produce(changing.subList(0, 1));
            produce(during.records().subList(0, 150));
            produce(changing.subList(1, changing.size()));
            produce(during.records().subList(150, during.records().size()));

            awaitEvents(othersAll + 1);
            // The change really met the refused key, and waits in the user's state.
            Await.until(
                    TIMEOUT,
                    () -> parkedOperations(rest, job, "app_api_unauthorized") >= 1,
                    () -> "no identifier change parked as app_api_unauthorized");
            assertThat(appApiStatuses()).as("App API answers").contains(401).doesNotContain(200);
            Thread.sleep(3_000); // a waiting event that went out anyway would show now
            assertThat(customerio.events())
                    .as("nothing of the changing user after the change while the key is refused")
                    .filteredOn(e -> e.name().equals("After"))
                    .isEmpty();
            assertThat(customerio.summary().events()).isEqualTo(othersAll + 1);
            assertThat(customerio.personById("c-old")).isPresent();
            assertThat(customerio.personById("c-new")).isEmpty();

            customerio.clearFaults();
            awaitEvents(othersAll + 1 + changing.size());
            Thread.sleep(2_000); // anything still arriving would be a duplicate or an extra
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(appApiStatuses()).as("App API answers").contains(200);
        assertThat(customerio.personById("c-old")).isEmpty();
        Person renamed = customerio.personById("c-new").orElseThrow();
        assertThat(renamed.attributes().get("plan").asText()).isEqualTo("pro");
        List<StoredEvent> users =
                customerio.events().stream()
                        .filter(e -> e.name().equals("Before") || e.name().equals("After"))
                        .toList();
        assertThat(users)
                .as("the user's events, in order, all the renamed person's")
                .extracting(e -> e.data().get("seq").asLong())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(users).extracting(StoredEvent::cioId).containsOnly(renamed.cioId());
        assertThat(users.subList(1, users.size()))
                .extracting(StoredEvent::personId)
                .containsOnly("c-new");
        assertThat(customerio.people())
                .as("one profile for the user, one for each other user")
                .hasSize(1 + before.finalBatchesSent().size() + during.finalBatchesSent().size());
        assertExactlyOnceInOrder(
                customerio.events().stream()
                        .filter(e -> !e.name().equals("Before") && !e.name().equals("After"))
                        .toList(),
                before,
                during);
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    private static List<Integer> appApiStatuses() {
        return customerio.requests().stream()
                .filter(r -> r.path().startsWith("/v1/"))
                .map(RequestLogEntry::status)
                .toList();
    }

    private static void awaitEvents(int n) throws InterruptedException {
        Await.until(
                TIMEOUT,
                () -> customerio.summary().events() >= n,
                () -> customerio.summary().toString());
    }
}
