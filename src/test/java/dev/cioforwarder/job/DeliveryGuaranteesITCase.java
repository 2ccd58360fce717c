package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.TestBatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The delivery guarantees, proven with real failures: Customer.io's deduplicated store holds every
 * event exactly once and every person ends with the right attributes, across TaskManager crashes, a
 * misbehaving Customer.io and an outage; each user's operations arrive in input order; refused
 * operations end in the dead-letter topic while the good ones around them are delivered.
 */
class DeliveryGuaranteesITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(4);

    /** Indexes of the MiniCluster's TaskManagers that are running. */
    private static final List<Integer> liveTaskManagers = new ArrayList<>(List.of(0, 1));

    private void awaitDelivered(int events) throws InterruptedException {
        Await.until(
                DELIVERY_TIMEOUT,
                () -> customerio.summary().events() >= events,
                () -> customerio.summary().toString());
    }

    /**
     * Exactly once in the store: every expected event once, nothing else, and no event twice under
     * two ids (which deduplication by id could not catch); every person's final attributes right.
     */
    private void assertExactlyOnce(TestBatches batches, Set<String> excludedNames) {
        List<TestBatches.ExpectedEvent> expected =
                batches.expectedEvents().stream()
                        .filter(e -> !excludedNames.contains(e.name()))
                        .collect(Collectors.toList());
        List<StoredEvent> stored = customerio.events();
        List<String> storedKeys = new ArrayList<>();
        for (StoredEvent e : stored) {
            storedKeys.add(
                    e.personId()
                            + "/"
                            + e.data().get("seq").asLong()
                            + "/"
                            + e.type()
                            + "/"
                            + e.name());
        }
        Set<String> expectedKeys = new HashSet<>();
        for (TestBatches.ExpectedEvent e : expected) {
            expectedKeys.add(e.customerId() + "/" + e.seq() + "/" + e.type() + "/" + e.name());
        }
        assertThat(storedKeys).doesNotHaveDuplicates();
        assertThat(new HashSet<>(storedKeys)).isEqualTo(expectedKeys);
        assertThat(stored).hasSameSizeAs(expected);

        Map<String, Person> people = new HashMap<>();
        customerio.people().forEach(p -> people.put(p.id(), p));
        assertThat(people.keySet())
                .containsExactlyInAnyOrderElementsOf(batches.finalBatchesSent().keySet());
        batches.finalBatchesSent()
                .forEach(
                        (customerId, count) ->
                                assertThat(
                                                people.get(customerId)
                                                        .attributes()
                                                        .get("batches_sent")
                                                        .asInt())
                                        .as("batches_sent of %s", customerId)
                                        .isEqualTo(count));
    }

    private CompletableFuture<Void> produceInBackground(List<Map.Entry<String, byte[]>> records) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        int chunk = Math.max(1, records.size() / 20);
                        for (int i = 0; i < records.size(); i += chunk) {
                            kafka.produce(
                                    topic, records.subList(i, Math.min(records.size(), i + chunk)));
                            Thread.sleep(100);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private void killATaskManagerMidStream(MiniCluster cluster, JobClient job, int deliveredBefore)
            throws Exception {
        Await.until(
                DELIVERY_TIMEOUT,
                () -> customerio.summary().events() >= deliveredBefore,
                () -> customerio.summary().toString());
        assertThat(customerio.summary().events())
                .as("killed mid-stream")
                .isLessThan(deliveredBefore * 3L);
        // Kill every TaskManager (the job's tasks are on one of them) and give the cluster fresh
        // ones: MiniCluster indexes are never reused, so track which are alive.
        for (int index : liveTaskManagers) {
            cluster.terminateTaskManager(index).get();
        }
        int started = liveTaskManagers.size();
        int next = liveTaskManagers.get(liveTaskManagers.size() - 1) + 1;
        liveTaskManagers.clear();
        for (int i = 0; i < started; i++) {
            cluster.startTaskManager();
            liveTaskManagers.add(next + i);
        }
        // The failure really made the job restart from its last checkpoint.
        Await.until(
                Duration.ofMinutes(1),
                () -> {
                    try {
                        for (var vertex :
                                cluster.getExecutionGraph(job.getJobID())
                                        .get()
                                        .getAllExecutionVertices()) {
                            if (vertex.getCurrentExecutionAttempt().getAttemptNumber() > 0) {
                                return true;
                            }
                        }
                        return false;
                    } catch (Exception e) {
                        return false;
                    }
                },
                () -> "the job did not restart");
    }

    @Test
    void everyEventExactlyOnceWhenATaskManagerDiesMidStream(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        TestBatches batches = TestBatches.generate(1, 300, 1_600, 8);
        List<Map.Entry<String, byte[]>> records = batches.records();
        kafka.produce(topic, records.subList(0, records.size() / 2));
        JobClient job = startJob(settings());
        try {
            CompletableFuture<Void> rest =
                    produceInBackground(records.subList(records.size() / 2, records.size()));
            killATaskManagerMidStream(cluster, job, batches.expectedEvents().size() / 4);
            rest.get();
            awaitDelivered(batches.expectedEvents().size());
            Thread.sleep(2_000); // anything still arriving would be a duplicate or an extra
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertExactlyOnce(batches, Set.of());
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void everyEventExactlyOnceWhileCustomerioDropsConnectionsAndAnswers503And429(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        customerio.setFaults(
                Faults.none()
                        .status503Ratio(0.2)
                        .dropConnectionRatio(0.05)
                        .rateLimitRps(8)
                        .retryAfterSeconds(1));
        TestBatches batches = TestBatches.generate(2, 200, 1_000, 8);
        kafka.produce(topic, batches.records());
        // Small requests, so there are enough of them to run into the rate limit.
        JobClient job = startJob(settings("customerio.batch.max-bytes", "40000"));
        try {
            killATaskManagerMidStream(cluster, job, batches.expectedEvents().size() / 3);
            awaitDelivered(batches.expectedEvents().size());
            Thread.sleep(2_000);
        } finally {
            Jobs.cancelAndWait(job);
        }
        Map<Integer, Long> statuses = customerio.summary().responsesByStatus();
        assertThat(statuses).containsKeys(200, 429, 503);
        assertThat(statuses.get(0)).as("dropped connections").isPositive();
        assertExactlyOnce(batches, Set.of());
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    @ParameterizedTest(name = "api mode {0}")
    @ValueSource(strings = {"v1", "v2-batch"})
    void eachUsersEventsArriveInInputOrderDespiteRandomLatency(String apiMode) throws Exception {
        customerio.setFaults(Faults.none().latencyMs(1).latencyJitterMs(40));
        TestBatches batches = TestBatches.generate(3, 30, 250, 4);
        kafka.produce(topic, batches.records());
        // Small batches and many requests in flight, so later requests could overtake earlier ones.
        JobClient job =
                startJob(
                        settings(
                                "customerio.api-mode", apiMode,
                                "customerio.max-in-flight", "16",
                                "customerio.batch.max-bytes", "40000",
                                "customerio.batch.linger", "5ms"));
        try {
            awaitDelivered(batches.expectedEvents().size());
        } finally {
            Jobs.cancelAndWait(job);
        }
        Map<String, List<Long>> arrivalOrder = new HashMap<>();
        for (StoredEvent e : customerio.events()) {
            arrivalOrder
                    .computeIfAbsent(e.personId(), k -> new ArrayList<>())
                    .add(e.data().get("seq").asLong());
        }
        arrivalOrder.forEach(
                (user, seqs) -> assertThat(seqs).as("arrival order of %s", user).isSorted());
        assertExactlyOnce(batches, Set.of());
    }

    @Test
    void nothingIsLostDuringAnOutageAndTheLagDrainsAfterIt() throws Exception {
        customerio.setFaults(Faults.none().status503Ratio(1.0));
        TestBatches batches = TestBatches.generate(4, 100, 400, 6);
        kafka.produce(topic, batches.records());
        Map<String, String> settings = settings();
        JobClient job = startJob(settings);
        String group = settings.get("kafka.group-id");
        try {
            Thread.sleep(8_000);
            assertThat(customerio.summary().events()).isZero();
            assertThat(customerio.summary().responsesByStatus().get(503)).isPositive();
            assertThat(kafka.lag(group, topic)).as("lag during the outage").isPositive();

            customerio.clearFaults();
            awaitDelivered(batches.expectedEvents().size());
            Await.until(
                    Duration.ofMinutes(1),
                    () -> {
                        try {
                            return kafka.lag(group, topic) == 0;
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    () -> "lag did not drain");
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertExactlyOnce(batches, Set.of());
    }

    @Test
    void refusedOperationsAreDeadLetteredAndTheGoodOnesAroundThemDelivered() throws Exception {
        customerio.setFaults(Faults.none().rejectNames("Poison").rejectBatchNames("Poison400"));
        TestBatches batches = TestBatches.generate(5, 50, 200, 5);
        batches.addBatch(1_000_007, 1, "Poison");
        batches.addBatch(1_000_008, 1, "Poison400");
        kafka.produce(topic, batches.records());
        JobClient job = startJob(settings());
        List<JsonNode> letters;
        try {
            awaitDelivered(batches.expectedEvents().size() - 2);
            letters = deadLetters(2, Duration.ofMinutes(1));
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertExactlyOnce(batches, Set.of("Poison", "Poison400"));

        assertThat(letters).hasSize(2);
        Map<Integer, JsonNode> byStatus = new HashMap<>();
        for (JsonNode letter : letters) {
            assertThat(letter.get("reason").asText()).isEqualTo("rejected_by_customerio");
            assertThat(letter.get("stage").asText()).isEqualTo("delivery");
            assertThat(letter.get("payload_kind").asText()).isEqualTo("operation");
            assertThat(letter.get("source").get("topic").asText()).isEqualTo(topic);
            byStatus.put(letter.get("customerio_response").get("status").asInt(), letter);
        }
        assertThat(byStatus.keySet()).containsExactlyInAnyOrder(207, 400);
        assertThat(byStatus.get(207).get("payload_text").asText()).contains("\"name\":\"Poison\"");
        assertThat(byStatus.get(207).get("customerio_response").get("body").asText())
                .contains("batch_index");
        assertThat(byStatus.get(207).get("mpid").asText()).isEqualTo("1000007");
        assertThat(byStatus.get(400).get("payload_text").asText())
                .contains("\"name\":\"Poison400\"");
        assertThat(byStatus.get(400).get("mpid").asText()).isEqualTo("1000008");
    }
}
