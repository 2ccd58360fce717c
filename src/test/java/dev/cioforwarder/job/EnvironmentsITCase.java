package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * mparticle.environments through the job and the simulator: the production job forwards production
 * batches (and those that do not say), and development batches, their events and their push tokens
 * reach nobody, counted. A rule of the job, on in-memory topics.
 */
class EnvironmentsITCase extends JobTestSupport {

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
                            .setConfiguration(fastMetrics())
                            .build());

    private static Map.Entry<String, byte[]> batch(long mpid, String environment, String name) {
        String json =
                "{\"mpid\":"
                        + mpid
                        + (environment == null ? "" : ",\"environment\":\"" + environment + "\"")
                        + ",\"timestamp_unixtime_ms\":1764400000000,\"user_identities\":"
                        + "{\"customer_id\":\"c-"
                        + mpid
                        + "\"},\"device_info\":{\"platform\":\"iOS\",\"push_token\":\"apns-"
                        + mpid
                        + "\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{"
                        + "\"event_name\":\""
                        + name
                        + "\",\"source_message_id\":\""
                        + name
                        + "\"}}]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theProductionJobForwardsNothingOfDevelopmentBatches(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        produce(
                List.of(
                        batch(1, "production", "Bought"),
                        batch(2, "development", "Tested"),
                        batch(3, null, "Browsed"),
                        batch(4, "Development", "Tested_Again")));
        JobClient job =
                startJob(
                        settings(
                                "mparticle.environments",
                                "production",
                                "customerio.forward-devices",
                                "true"));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() >= 2,
                    () -> customerio.events().toString());
            URI rest = cluster.getRestAddress().get();
            String jobPath = "/jobs/" + job.getJobID();
            AtomicReference<Object> last = new AtomicReference<>();
            Await.until(
                    Duration.ofSeconds(30),
                    () -> {
                        try {
                            Map<String, Long> m =
                                    metricSums(
                                            rest,
                                            jobPath,
                                            id ->
                                                    id.endsWith(
                                                                    ".reason.environment_not_forwarded.skipped")
                                                            ? "environment_not_forwarded"
                                                            : null);
                            last.set(m);
                            return Long.valueOf(2).equals(m.get("environment_not_forwarded"));
                        } catch (Exception e) {
                            last.set(e);
                            return false;
                        }
                    },
                    () -> "metrics " + last.get());
            // Anything of the development batches would have arrived by now.
            Thread.sleep(2_000);
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(customerio.events())
                .extracting(StoredEvent::personId, StoredEvent::name)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("c-1", "Bought"),
                        org.assertj.core.groups.Tuple.tuple("c-3", "Browsed"));
        assertThat(customerio.people())
                .extracting(Person::id)
                .containsExactlyInAnyOrder("c-1", "c-3");
        assertThat(customerio.people())
                .allSatisfy(p -> assertThat(p.devices()).as("%s", p.id()).hasSize(1));
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }
}
