package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.ops.FakeFlinkCluster.Job;
import dev.cioforwarder.ops.OpsRun.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rescale.sh: in place where the cluster's scheduler can change a running job's parallelism (the
 * adaptive scheduler answers GET /jobs/&lt;id&gt;/resource-requirements), by stop-with-savepoint
 * and a restart where it cannot; rolled back when the job does not get there; and it says which.
 */
class RescaleCommandTest {

    private static final String JOB = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    @TempDir Path dir;

    private FakeFlinkCluster flink;
    private OpsRun ops;
    private Path jar;

    @BeforeEach
    void aRunningForwarderWithItsRecord() throws Exception {
        flink = new FakeFlinkCluster(dir);
        ops = new OpsRun(flink, dir);
        jar = OpsRun.jar(dir, "forwarder-1.jar");
        flink.runningJob(JOB, "mparticle-customerio-forwarder", 2);
        ops.record(JOB, jar, 2, "kafka.bootstrap-servers=broker:9092", "customerio.site-id=s");
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    @Test
    void theAdaptiveSchedulerRescalesTheRunningJobInPlace() throws Exception {
        flink.adaptiveScheduler = true;

        Result result = ops.run("rescale", "1");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().strip()).isEqualTo(JOB);
        assertThat(flink.job(JOB).parallelism).isEqualTo(1);
        assertThat(flink.job(JOB).state).isEqualTo("RUNNING");
        JsonNode put = flink.lastBody("PUT /jobs/" + JOB + "/resource-requirements");
        assertThat(put).hasSize(3);
        put.forEach(
                vertex -> {
                    assertThat(vertex.path("parallelism").path("upperBound").asInt()).isEqualTo(1);
                    assertThat(vertex.path("parallelism").path("lowerBound").asInt()).isEqualTo(1);
                });
        assertThat(flink.requests()).noneMatch(r -> r.endsWith("/stop") || r.endsWith("/run"));
        assertThat(result.stderr())
                .contains("in place from parallelism 2 to 1")
                .contains("Rescaled in place: job " + JOB + " runs with parallelism 1");
        // resume.sh reads the parallelism from the record.
        assertThat(ops.records().read(JOB).orElseThrow().parallelism()).isEqualTo(1);
        assertThat(ops.records().read(JOB).orElseThrow().note())
                .contains("rescaled in place from 2 to 1");
    }

    @Test
    void anInPlaceRescaleThatNeverHappensIsRolledBackToTheOldBounds() throws Exception {
        flink.adaptiveScheduler = true;
        flink.rescaleNeverHappens = true;

        Result result = ops.run("rescale", "3", "--timeout", "1");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        assertThat(result.stdout().strip()).isEqualTo(JOB);
        assertThat(result.stderr())
                .contains("did not run with parallelism 3")
                .contains("rolled back: job " + JOB + " runs with parallelism 2 again");
        JsonNode last = flink.lastBody("PUT /jobs/" + JOB + "/resource-requirements");
        last.forEach(
                v -> assertThat(v.path("parallelism").path("upperBound").asInt()).isEqualTo(2));
        assertThat(ops.records().read(JOB).orElseThrow().parallelism()).isEqualTo(2);
    }

    @Test
    void withoutTheAdaptiveSchedulerTheJobIsRescaledByStopWithSavepoint() throws Exception {
        Result result = ops.run("rescale", "1");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        Job rescaled = flink.started().get(0);
        assertThat(result.stdout().strip()).isEqualTo(rescaled.id);
        assertThat(rescaled.parallelism).isEqualTo(1);
        assertThat(rescaled.runBody.path("savepointPath").asText())
                .contains("savepoint-" + JOB.substring(0, 6));
        assertThat(rescaled.programArgs())
                .containsExactly(
                        "--kafka.bootstrap-servers", "broker:9092", "--customerio.site-id", "s");
        assertThat(flink.job(JOB).state).isEqualTo("FINISHED");
        assertThat(result.stderr())
                .contains("The cluster cannot rescale a running job")
                .contains("DefaultScheduler does not support changing the parallelism")
                .contains("by stop-with-savepoint and a restart")
                .contains("Rescaled by savepoint: job " + rescaled.id + " replaces job " + JOB);
        assertThat(ops.records().read(rescaled.id).orElseThrow().previousJob()).isEqualTo(JOB);
    }

    @Test
    void aJobThatRunsWithTheParallelismAlreadyIsLeftAlone() {
        Result result = ops.run("rescale", "2");
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout().strip()).isEqualTo(JOB);
        assertThat(result.stderr()).contains("already runs with parallelism 2; nothing to do");
        assertThat(flink.requests()).noneMatch(r -> !r.startsWith("GET"));
    }

    @Test
    void aParallelismAboveTheSlotsIsRefusedEitherWay() {
        flink.adaptiveScheduler = true;
        Result result = ops.run("rescale", "8");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("needs 8 task slots and the cluster has 4");
        assertThat(flink.requests()).noneMatch(r -> !r.startsWith("GET"));
    }
}
