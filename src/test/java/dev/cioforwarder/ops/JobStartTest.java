package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.ops.FakeFlinkCluster.Behavior;
import dev.cioforwarder.ops.FakeFlinkCluster.Job;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a job on a fake Flink REST API: upload, run once, wait for tasks and a checkpoint. */
class JobStartTest {

    @TempDir Path dir;

    private FakeFlinkCluster flink;
    private JobStart starting;

    @BeforeEach
    void aCluster() throws Exception {
        flink = new FakeFlinkCluster(dir);
        PrintStream quiet =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        starting =
                new JobStart(
                        new JobControl(
                                new FlinkRestClient(flink.url(), Duration.ofSeconds(5)),
                                new Console(quiet, quiet),
                                new JobRecords(dir.resolve("ops")),
                                Duration.ofMillis(20),
                                Duration.ofSeconds(5),
                                true));
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    @Test
    void startsTheForwarderAndWaitsUntilItRunsAndCheckpoints() throws Exception {
        String jarId = starting.upload(OpsRun.jar(dir, "forwarder.jar"));
        String jobId =
                starting.start(
                        jarId, new JobSettings().set("customerio.site-id", "s"), 2, null, false);
        starting.awaitRunning(jobId, Duration.ofSeconds(10));
        assertThat(starting.awaitFirstCheckpoint(jobId, Duration.ofSeconds(10)).hasCompleted())
                .isTrue();

        Job job = flink.job(jobId);
        assertThat(job.runBody.path("entryClass").asText()).isEqualTo(JobStart.ENTRY_CLASS);
        assertThat(job.parallelism).isEqualTo(2);
        assertThat(job.programArgs()).containsExactly("--customerio.site-id", "s");
    }

    @Test
    void aJarThatIsNotThereChangesNothing() {
        assertThatThrownBy(() -> starting.upload(dir.resolve("missing.jar")))
                .isInstanceOf(OpsFailure.class)
                .hasMessageContaining("does not exist or cannot be read");
        assertThat(flink.jars()).isEmpty();
    }

    @Test
    void aJobThatNeverCheckpointsDidNotStart() throws Exception {
        flink.behaviorOfRun = body -> Behavior.NEVER_CHECKPOINTS;
        String jarId = starting.upload(OpsRun.jar(dir, "forwarder.jar"));
        String jobId = starting.start(jarId, new JobSettings(), null, null, false);
        starting.awaitRunning(jobId, Duration.ofSeconds(10));
        assertThatThrownBy(() -> starting.awaitFirstCheckpoint(jobId, Duration.ofMillis(300)))
                .isInstanceOf(JobDidNotStart.class)
                .hasMessageContaining("completed no checkpoint within");
    }
}
