package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.TestBatches;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
 * A Track API key rotated mid-stream: once Customer.io takes only the new key, requests are
 * answered 401 and what cannot go waits; as soon as the new key is written into {@code
 * customerio.api-key-file} delivery resumes by itself, with no restart of any task, and every event
 * arrives exactly once, in each user's order.
 */
class KeyRotationITCase extends JobTestSupport {

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

    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @Test
    void aKeyRotatedMidStreamIsPickedUpFromItsFileWithoutARestart(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        TestBatches batches = TestBatches.generate(81, 2_100_000, 150, 1_500, 4);
        List<Map.Entry<String, byte[]>> records = batches.records();
        int third = records.size() / 3;
        Map<String, String> settings = settings("customerio.auth-retry-interval", "2s");
        Path keyFile = Path.of(settings.get("customerio.api-key-file"));
        JobClient job = startJob(settings);
        URI rest = cluster.getRestAddress().get();
        int expected = batches.expectedEvents().size();
        try {
            produce(records.subList(0, third));
            Await.until(
                    TIMEOUT,
                    () -> customerio.summary().events() >= 100,
                    () -> customerio.summary().toString());

            // Rotated in Customer.io: the job's key is refused from now on.
            String newKey = "it-rotated-key-" + System.nanoTime();
            customerio.rotateApiKey(newKey);
            produce(records.subList(third, 2 * third));
            Await.until(
                    TIMEOUT,
                    () -> parkedOperations(rest, job, "unauthorized") >= 1,
                    () -> "nothing parked as unauthorized; " + customerio.summary());
            long storedWhileRefused = customerio.summary().events();
            assertThat(customerio.summary().responsesByStatus().getOrDefault(401, 0L))
                    .as("requests answered 401")
                    .isPositive();
            assertThat(storedWhileRefused).as("not everything got through").isLessThan(expected);

            // The operator writes the new key into the file (atomically, as a secret mount does).
            Path next = keyFile.resolveSibling(keyFile.getFileName() + ".next");
            Files.writeString(next, newKey);
            Files.move(next, keyFile, StandardCopyOption.ATOMIC_MOVE);
            produce(records.subList(2 * third, records.size()));
            Await.until(
                    TIMEOUT,
                    () -> customerio.summary().events() >= expected,
                    () -> customerio.summary().toString());
            Thread.sleep(2_000); // anything still arriving would be a duplicate or an extra
            assertThat(restartedVertices(cluster, job)).as("tasks restarted").isZero();
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertExactlyOnceInOrder(customerio.events(), batches);
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }
}
