package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.Faults;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.MavenClasspath;
import dev.cioforwarder.testing.TestBatches;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API key never leaves the TaskManagers' memory: run the job with a known key through
 * authentication failures and a task failure, then search every log line, everything the REST API
 * (and so the web UI) shows about the job, its exceptions and its metrics.
 */
class SecretsITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private final HttpClient http = HttpClient.newHttpClient();

    private String get(URI base, String path) throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(base.resolve(path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return response.body();
    }

    @Test
    void theApiKeyAppearsInNoLogRestAnswerExceptionOrMetric(
            @InjectMiniCluster MiniCluster cluster, @InjectClusterRESTAddress URI rest)
            throws Exception {
        // Only this test's part of the log file, which every test class appends to.
        Path log = MavenClasspath.projectDir().resolve("target/logs/tests.log");
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        // Provoke what could leak it: refused credentials (error logs) and a task failure.
        customerio.setFaults(Faults.none().unauthorized(true));
        TestBatches batches = TestBatches.generate(7, 20, 60, 3);
        kafka.produce(topic, batches.records());
        JobClient job = startJob(settings("customerio.auth-retry-interval", "1s"));
        List<String> shown = new ArrayList<>();
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.summary().responsesByStatus().containsKey(401),
                    () -> customerio.summary().toString());
            // Both TaskManagers go, so whichever ran the tasks fails them.
            cluster.terminateTaskManager(0).get();
            cluster.terminateTaskManager(1).get();
            cluster.startTaskManager();
            cluster.startTaskManager();
            customerio.clearFaults();
            Await.until(
                    Duration.ofMinutes(3),
                    () -> customerio.summary().events() >= batches.expectedEvents().size(),
                    () -> customerio.summary().toString());

            String id = job.getJobID().toHexString();
            for (String path :
                    List.of(
                            "/jobs/" + id,
                            "/jobs/" + id + "/config",
                            "/jobs/" + id + "/plan",
                            "/jobs/" + id + "/exceptions",
                            "/jobs/" + id + "/checkpoints",
                            "/jobs/" + id + "/checkpoints/config",
                            "/jobmanager/config",
                            "/jobmanager/environment",
                            "/taskmanagers",
                            "/overview")) {
                shown.add(get(rest, path));
            }
            for (JsonNode vertex : MAPPER.readTree(get(rest, "/jobs/" + id)).get("vertices")) {
                String metricsPath =
                        "/jobs/" + id + "/vertices/" + vertex.get("id").asText() + "/metrics";
                String names = get(rest, metricsPath);
                shown.add(names);
                List<String> ids = new ArrayList<>();
                MAPPER.readTree(names).forEach(m -> ids.add(m.get("id").asText()));
                for (int i = 0; i < ids.size(); i += 40) {
                    shown.add(
                            get(
                                    rest,
                                    metricsPath
                                            + "?get="
                                            + String.join(
                                                    ",",
                                                    ids.subList(i, Math.min(ids.size(), i + 40)))));
                }
            }
            // Exceptions of the task failure exist, so the search below covers real exception
            // texts.
            assertThat(MAPPER.readTree(shown.get(3)).get("exceptionHistory").get("entries"))
                    .isNotEmpty();
        } finally {
            Jobs.cancelAndWait(job);
        }

        String basicAuth =
                Base64.getEncoder()
                        .encodeToString((SITE_ID + ":" + API_KEY).getBytes(StandardCharsets.UTF_8));
        for (String answer : shown) {
            assertThat(answer).doesNotContain(API_KEY).doesNotContain(basicAuth);
        }

        String logs;
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(logStart);
            logs = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The logs are this job's and cover the failure paths...
        assertThat(logs).contains(job.getJobID().toHexString());
        assertThat(logs).contains("Customer.io refused the credentials");
        assertThat(logs).contains("switched from RUNNING to FAILED");
        // ...and hold neither the key nor the Authorization header made from it.
        assertThat(logs).doesNotContain(API_KEY).doesNotContain(basicAuth);
    }
}
