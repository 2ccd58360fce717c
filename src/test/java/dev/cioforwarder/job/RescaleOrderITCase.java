package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.TestBatches;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each user's operations stay in order across a rescale from 2 to 3 taken while delivery's queue is
 * full: the requests restored from the savepoint land on whichever subtask the round-robin
 * redistribution gives them, not on the one that owns their users now; they are parked and put back
 * in order by their users' state, and the owners hold the users' new operations until a seal shows
 * nothing older is left.
 */
class RescaleOrderITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(6)
                            .setConfiguration(fastMetrics())
                            .build());

    @Test
    void perUserOrderSurvivesARescaleWithAFullQueue(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        URI rest = cluster.getRestAddress().get();
        // One generation, sent in two halves: the same users before and after the rescale. The
        // first half is ~60 requests: spread over the 16 request lanes, ~4 for each lane to send
        // one after the other, so the slots stay full for several round trips. (With a third of
        // it, every lane had one request and the half was delivered in two round trips: on a
        // warm JVM, before the test could see the slots full.)
        TestBatches batches = TestBatches.generate(71, 30, 4_000, 5);
        var records = batches.records();
        var firstHalf = records.subList(0, records.size() / 2);
        var secondHalf = records.subList(records.size() / 2, records.size());
        int all = batches.expectedEvents().size();
        // Slow answers and small requests: every slot is taken when the savepoint is.
        customerio.setFaults(Faults.none().latencyMs(3_000));
        kafka.produce(topic, firstHalf);
        Map<String, String> settings =
                settings(
                        "customerio.batch.max-bytes", "40000",
                        "customerio.max-in-flight", "8",
                        "customerio.in-slot-retry", "60s");
        JobClient job = startJob(settings, 2);
        JobClient rescaled = null;
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.summary().events() >= all / 20,
                    () -> customerio.summary().toString());
            AtomicReference<Object> lastInFlight = new AtomicReference<>();
            Await.until(
                    Duration.ofMinutes(1),
                    () -> inFlight(rest, job, lastInFlight) >= 12,
                    () ->
                            "requests in flight: "
                                    + lastInFlight.get()
                                    + "; Customer.io: "
                                    + customerio.summary()
                                    + "; checkpoints: "
                                    + checkpoints(rest, job));
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    dir.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
            long deliveredAtSavepoint = customerio.summary().events();
            assertThat(deliveredAtSavepoint)
                    .as("the savepoint was taken mid-stream")
                    .isLessThan(all / 2);

            customerio.setFaults(Faults.none().latencyMs(1).latencyJitterMs(30));
            rescaled = startJob(settings, 3, Path.of(URI.create(savepoint)));
            kafka.produce(topic, secondHalf);
            Await.until(
                    Duration.ofMinutes(4),
                    () -> customerio.summary().events() >= all,
                    () -> customerio.summary().toString());
            Thread.sleep(2_000);
        } finally {
            if (rescaled != null) {
                Jobs.cancelAndWait(rescaled);
            }
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                Jobs.cancelAndWait(job);
            }
        }

        Set<String> expectedKeys = new HashSet<>();
        for (TestBatches.ExpectedEvent e : batches.expectedEvents()) {
            expectedKeys.add(e.customerId() + "/" + e.seq());
        }
        List<String> stored = new ArrayList<>();
        Map<String, List<Long>> arrival = new HashMap<>();
        for (StoredEvent e : customerio.events()) {
            long seq = e.data().get("seq").asLong();
            stored.add(e.personId() + "/" + seq);
            arrival.computeIfAbsent(e.personId(), k -> new ArrayList<>()).add(seq);
        }
        assertThat(stored).doesNotHaveDuplicates();
        assertThat(new HashSet<>(stored)).isEqualTo(expectedKeys);
        arrival.forEach(
                (user, seqs) -> assertThat(seqs).as("arrival order of %s", user).isSorted());
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    /** The job's checkpoint counts and its latest completed one, for a failure message. */
    private static String checkpoints(URI rest, JobClient job) {
        try {
            var stats = restGet(rest, "/jobs/" + job.getJobID() + "/checkpoints");
            return stats.path("counts") + " latest " + stats.path("latest").path("completed");
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** The requests in flight, summed; 0 while unreadable, with why in {@code last}. */
    private long inFlight(URI rest, JobClient job, AtomicReference<Object> last) {
        try {
            long inFlight =
                    metricSums(
                                    rest,
                                    "/jobs/" + job.getJobID(),
                                    id -> id.endsWith(".in_flight_requests") ? "in_flight" : null)
                            .getOrDefault("in_flight", 0L);
            last.set(inFlight);
            return inFlight;
        } catch (Exception e) {
            last.set(e);
            return 0;
        }
    }
}
