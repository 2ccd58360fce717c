package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Customer.io outage three times longer than the checkpoint timeout (20 s here) and the Kafka
 * transaction timeout (60 s here), with traffic all through it: checkpoints keep completing, a
 * savepoint and an upgrade from it succeed in the middle of it, the dead letter written just before
 * it is in its topic, and afterwards every event is in Customer.io exactly once.
 */
class LongOutageITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration OUTAGE = TRANSACTION_TIMEOUT.multipliedBy(3);

    @Override
    protected void configure(Configuration config) {
        config.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
        config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(2));
    }

    private Map<String, String> outageSettings() throws Exception {
        return settings(
                "kafka.property.transaction.timeout.ms",
                Long.toString(TRANSACTION_TIMEOUT.toMillis()),
                "customerio.in-slot-retry",
                "3s");
    }

    @Test
    void checkpointsSavepointsAndAnUpgradeGoOnThroughTheOutageAndNothingIsLost(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        URI rest = cluster.getRestAddress().get();
        TestBatches before = TestBatches.generate(61, 40, 100, 4);
        before.addBatch(1_000_099, 1, "Poison");
        customerio.setFaults(Faults.none().rejectNames("Poison"));
        kafka.produce(topic, before.records());
        Map<String, String> settings = outageSettings();
        JobClient job = startJob(settings);
        JobClient upgraded = null;
        long commitFailuresAtRestore = -1;
        long commitFailuresAfterRestore = -1;
        AtomicBoolean producing = new AtomicBoolean(true);
        CompletableFuture<Void> traffic = null;
        TestBatches during = TestBatches.generate(62, 2_000_000, 40, 400, 4);
        try {
            // The dead letter is written; the outage starts at once, while its transaction may
            // still be open.
            Await.until(
                    Duration.ofMinutes(2),
                    () -> deadLetterCount(rest, job) >= 1,
                    () -> customerio.summary().toString());
            customerio.setFaults(Faults.none().status503Ratio(1.0));
            long outageStart = System.currentTimeMillis();
            traffic = produceWhile(during, producing);

            // Half the outage, watching checkpoints complete.
            List<Long> completions = new ArrayList<>();
            watchCheckpoints(rest, job, outageStart + OUTAGE.toMillis() / 2, completions);

            assertThat(failedCommits(rest, job))
                    .as("failed Kafka commits in the first half of the outage")
                    .isZero();
            // A savepoint and an upgrade from it, in the middle of the outage.
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    dir.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
            upgraded = startJob(settings, 2, Path.of(URI.create(savepoint)));
            // On a restore the committers commit the savepoint's transactions again; the
            // connector may count one it finds already committed and fenced as failed (its log
            // says it is expected during a recovery). Failures from here on are what counts.
            JobClient restored = upgraded;
            Await.until(
                    Duration.ofMinutes(1),
                    () -> completedCheckpoints(rest, restored) >= 1,
                    () -> "no checkpoint of the upgraded job");
            commitFailuresAtRestore = failedCommits(rest, upgraded);
            watchCheckpoints(rest, upgraded, outageStart + OUTAGE.toMillis(), completions);
            assertThat(customerio.summary().events())
                    .as("nothing got through the outage")
                    .isEqualTo(before.expectedEvents().size() - 1);

            assertThat(maxGap(outageStart, completions))
                    .as("longest time without a completed checkpoint during the outage (ms)")
                    .isLessThan(CHECKPOINT_TIMEOUT.toMillis());
            assertThat(completions.size())
                    .as("checkpoints completed during the %s s outage", OUTAGE.toSeconds())
                    .isGreaterThanOrEqualTo(20);

            customerio.clearFaults();
            producing.set(false);
            traffic.get(1, TimeUnit.MINUTES);
            int expected = before.expectedEvents().size() - 1 + during.expectedEvents().size();
            Await.until(
                    Duration.ofMinutes(5),
                    () -> customerio.summary().events() >= expected,
                    () -> customerio.summary().toString());
            Thread.sleep(3_000); // anything still arriving would be a duplicate or an extra
            assertThat(attemptsAboveZero(cluster, upgraded)).as("restarts").isZero();
            commitFailuresAfterRestore = failedCommits(rest, upgraded) - commitFailuresAtRestore;
        } finally {
            producing.set(false);
            if (upgraded != null) {
                Jobs.cancelAndWait(upgraded);
            }
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                Jobs.cancelAndWait(job);
            }
        }
        assertExactlyOnce(before, during);
        List<JsonNode> letters = deadLetters(1, Duration.ofSeconds(30));
        assertThat(letters)
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.get("reason").asText())
                                    .isEqualTo("rejected_by_customerio");
                            assertThat(l.get("payload_text").asText()).contains("Poison");
                        });
        // Checked last: when it fails, the checks above say whether anything was lost.
        assertThat(commitFailuresAfterRestore)
                .as(
                        "failed Kafka commits after the upgraded job's first checkpoint (%d"
                                + " before it, at the restore)",
                        commitFailuresAtRestore)
                .isZero();
    }

    private CompletableFuture<Void> produceWhile(TestBatches batches, AtomicBoolean producing) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        List<Map.Entry<String, byte[]>> records = batches.records();
                        int chunk = Math.max(1, records.size() / 100);
                        long pause = OUTAGE.toMillis() / 110;
                        for (int i = 0; i < records.size(); i += chunk) {
                            kafka.produce(
                                    topic, records.subList(i, Math.min(records.size(), i + chunk)));
                            if (producing.get()) {
                                Thread.sleep(pause);
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /** Polls the job's completed checkpoints until {@code untilMs}, recording when each ends. */
    private void watchCheckpoints(URI rest, JobClient job, long untilMs, List<Long> completions)
            throws Exception {
        long seenId = -1;
        while (System.currentTimeMillis() < untilMs) {
            JsonNode latest =
                    restGet(rest, "/jobs/" + job.getJobID() + "/checkpoints")
                            .path("latest")
                            .path("completed");
            if (latest.isObject() && latest.get("id").asLong() != seenId) {
                seenId = latest.get("id").asLong();
                completions.add(latest.get("latest_ack_timestamp").asLong());
            }
            Thread.sleep(500);
        }
    }

    private long completedCheckpoints(URI rest, JobClient job) {
        try {
            return restGet(rest, "/jobs/" + job.getJobID() + "/checkpoints")
                    .path("counts")
                    .path("completed")
                    .asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    private static long maxGap(long startMs, List<Long> completions) {
        long previous = startMs;
        long max = 0;
        for (long t : completions.stream().sorted().toList()) {
            if (t >= startMs) {
                max = Math.max(max, t - previous);
                previous = t;
            }
        }
        return max;
    }

    private long deadLetterCount(URI rest, JobClient job) {
        try {
            return metricSums(
                            rest,
                            "/jobs/" + job.getJobID(),
                            id -> id.endsWith(".dead_letters") ? "dead_letters" : null)
                    .getOrDefault("dead_letters", 0L);
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The sinks' committers' {@code failedCommittables}, summed; waits until Flink's REST API
     * serves them (its metric fetcher fills its cache a few seconds after the first question).
     */
    private long failedCommits(URI rest, JobClient job) throws Exception {
        java.util.concurrent.atomic.AtomicReference<Map<String, Long>> sums =
                new java.util.concurrent.atomic.AtomicReference<>(Map.of());
        Await.until(
                Duration.ofSeconds(60),
                () -> {
                    try {
                        sums.set(
                                metricSums(
                                        rest,
                                        "/jobs/" + job.getJobID(),
                                        id ->
                                                id.endsWith(".failedCommittables")
                                                        ? "failed"
                                                        : null));
                    } catch (Exception e) {
                        return false;
                    }
                    return sums.get().containsKey("failed");
                },
                () -> "the committers report no failedCommittables: " + sums.get());
        return sums.get().get("failed");
    }

    private static int attemptsAboveZero(MiniCluster cluster, JobClient job) throws Exception {
        int restarted = 0;
        for (var vertex :
                cluster.getExecutionGraph(job.getJobID()).get().getAllExecutionVertices()) {
            if (vertex.getCurrentExecutionAttempt().getAttemptNumber() > 0) {
                restarted++;
            }
        }
        return restarted;
    }

    /** Every expected event once, nothing else, no event twice under two ids. */
    private void assertExactlyOnce(TestBatches... all) {
        Set<String> expected = new HashSet<>();
        int count = 0;
        for (TestBatches batches : all) {
            for (TestBatches.ExpectedEvent e : batches.expectedEvents()) {
                if (!e.name().equals("Poison")) {
                    expected.add(e.customerId() + "/" + e.seq() + "/" + e.name());
                    count++;
                }
            }
        }
        List<String> stored = new ArrayList<>();
        Map<String, List<Long>> order = new HashMap<>();
        for (StoredEvent e : customerio.events()) {
            long seq = e.data().get("seq").asLong();
            stored.add(e.personId() + "/" + seq + "/" + e.name());
            order.computeIfAbsent(e.personId(), k -> new ArrayList<>()).add(seq);
        }
        assertThat(stored).doesNotHaveDuplicates().hasSize(count);
        assertThat(new HashSet<>(stored)).isEqualTo(expected);
        order.forEach((user, seqs) -> assertThat(seqs).as("arrival order of %s", user).isSorted());
    }
}
