package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Savepoints and cancels on a fake Flink REST API. */
class JobEndTest {

    private static final String JOB = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    @TempDir Path dir;

    private FakeFlinkCluster flink;
    private JobRecords records;
    private JobEnd ending;

    @BeforeEach
    void aRunningJob() throws Exception {
        flink = new FakeFlinkCluster(dir);
        flink.runningJob(JOB, "mparticle-customerio-forwarder", 1);
        new OpsRun(flink, dir).record(JOB, OpsRun.jar(dir, "forwarder.jar"), 1);
        PrintStream quiet =
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        records = new JobRecords(dir.resolve("ops"));
        ending =
                new JobEnd(
                        new JobControl(
                                new FlinkRestClient(flink.url(), Duration.ofSeconds(5)),
                                new Console(quiet, quiet),
                                records,
                                Duration.ofMillis(20),
                                Duration.ofSeconds(5),
                                true));
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    @Test
    void aSavepointLeavesTheJobRunningAndIsRecorded() {
        String path = ending.takeSavepoint(JOB, false, null);
        assertThat(path).contains("savepoint-" + JOB.substring(0, 6));
        assertThat(flink.job(JOB).state).isEqualTo("RUNNING");
        assertThat(records.savepoints(JOB)).containsExactly(path);
    }

    @Test
    void aStopWithSavepointWaitsUntilTheJobHasEnded() {
        String path = ending.takeSavepoint(JOB, true, null);
        assertThat(flink.job(JOB).state).isEqualTo("FINISHED");
        assertThat(records.savepoints(JOB)).containsExactly(path);
    }

    @Test
    void aFailedSavepointChangesNothing() {
        flink.savepointFailure = "java.io.IOException: disk full";
        assertThatThrownBy(() -> ending.takeSavepoint(JOB, true, null))
                .isInstanceOf(OpsFailure.class)
                .hasMessageContaining("the savepoint of job " + JOB + " failed");
        assertThat(flink.job(JOB).state).isEqualTo("RUNNING");
        assertThat(records.savepoints(JOB)).isEmpty();
    }

    @Test
    void aCancelWaitsUntilTheJobHasEnded() {
        assertThat(ending.cancelAndAwait(JOB)).isTrue();
        assertThat(flink.job(JOB).state).isEqualTo("CANCELED");
    }
}
