package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.ops.FakeFlinkCluster.Behavior;
import dev.cioforwarder.ops.FakeFlinkCluster.Job;
import dev.cioforwarder.ops.JobRecords.JobRecord;
import dev.cioforwarder.ops.OpsRun.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade and its rollback rule (docs/operations.md) against a fake Flink REST API, one test
 * per way it can end: upgraded (0); a refused jar or savepoint, nothing changed (1); a new job
 * Flink refuses, one that fails after it started, one that completes no checkpoint in time, all
 * rolled back (2); the JobManager gone after the stop, or a rollback that fails too (3).
 */
class RedeploymentTest {

    private static final String OLD = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    @TempDir Path dir;

    private FakeFlinkCluster flink;
    private OpsRun ops;
    private Path oldJar;
    private Path newJar;

    @BeforeEach
    void aRunningForwarderWithItsRecord() throws Exception {
        flink = new FakeFlinkCluster(dir);
        ops = new OpsRun(flink, dir);
        oldJar = OpsRun.jar(dir, "forwarder-1.jar");
        newJar = OpsRun.jar(dir, "forwarder-2.jar");
        flink.runningJob(OLD, "mparticle-customerio-forwarder", 2);
        ops.record(
                OLD,
                oldJar,
                2,
                "kafka.bootstrap-servers=broker:9092",
                "customerio.site-id=site",
                "customerio.send-created-at=true");
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    @Test
    void anUpgradeReplacesTheJobFromItsSavepointWithTheRecordedSettings() throws Exception {
        Result result = ops.run("upgrade", newJar.toString());

        assertThat(result.exitCode()).as(result.describe()).isZero();
        Job upgraded = flink.started().get(0);
        assertThat(result.stdout().strip()).isEqualTo(upgraded.id);
        assertThat(flink.job(OLD).state).isEqualTo("FINISHED");
        assertThat(upgraded.state).isEqualTo("RUNNING");
        assertThat(upgraded.programArgs())
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "broker:9092",
                        "--customerio.site-id",
                        "site",
                        "--customerio.send-created-at",
                        "true");
        assertThat(upgraded.parallelism).isEqualTo(2);
        assertThat(upgraded.runBody.path("savepointPath").asText())
                .contains("savepoint-" + OLD.substring(0, 6));
        assertThat(upgraded.runBody.path("allowNonRestoredState").asBoolean(true)).isFalse();
        // The stop keeps timers and watermarks as they are, in the portable format.
        JsonNode stop = flink.lastBody("POST /jobs/" + OLD + "/stop");
        assertThat(stop.path("drain").asBoolean(true)).isFalse();
        assertThat(stop.path("formatType").asText()).isEqualTo("CANONICAL");

        JobRecord record = ops.records().read(upgraded.id).orElseThrow();
        assertThat(record.previousJob()).isEqualTo(OLD);
        assertThat(record.restoredFrom()).isEqualTo(upgraded.restoredPath);
        assertThat(record.jar().getFileName().toString()).endsWith("-forwarder-2.jar");
        assertThat(record.parallelism()).isEqualTo(2);
        assertThat(ops.records().savepoints(OLD)).containsExactly(upgraded.restoredPath);
        assertThat(result.stderr())
                .contains("Upgrade done: job " + upgraded.id + " replaces job " + OLD);
    }

    @Test
    void aRefusedJarChangesNothing() {
        flink.uploadRefusal = "Request entity too large: the upload limit is 100 MB";

        Result result = ops.run("upgrade", newJar.toString());

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("uploading")
                .contains("Request entity too large")
                .contains("Nothing changed: job " + OLD + " keeps running");
        assertThat(flink.requests()).doesNotContain("POST /jobs/" + OLD + "/stop");
        assertThat(flink.job(OLD).state).isEqualTo("RUNNING");
    }

    @Test
    void aSavepointThatFailsChangesNothing() {
        flink.savepointFailure =
                "java.util.concurrent.CompletionException: x\n"
                        + "\tat a.b(C.java:1)\n"
                        + "Caused by: java.io.IOException: Failed to create savepoint directory at"
                        + " s3://b/sp\n";
        Result result = ops.run("upgrade", newJar.toString());
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("the savepoint failed: java.io.IOException: Failed to create savepoint")
                .contains("nothing changed: the job is RUNNING")
                .doesNotContain("rO0ABXNy")
                .doesNotContain("\tat ");
        assertThat(flink.started()).isEmpty();
    }

    @Test
    void aNewJobFlinkRefusesIsRolledBackToThePreviousJarAndSettings() throws Exception {
        flink.runRefusal =
                job ->
                        job.programArgs().contains("mars")
                                ? "setting customerio.region: \"mars\" is not one of us, eu"
                                : null;

        Result result = ops.run("upgrade", newJar.toString(), "--set", "customerio.region=mars");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        Job rollback = flink.started().get(0);
        assertThat(result.stdout().strip()).isEqualTo(rollback.id);
        assertThat(result.stderr())
                .contains("Flink refused to run the job")
                .contains("setting customerio.region: \"mars\" is not one of us, eu")
                .contains("was rolled back: job " + rollback.id);
        assertRolledBack(rollback);
    }

    @Test
    void aNewJobThatFailsAfterItStartedIsCancelledAndRolledBack() throws Exception {
        flink.behaviorOfRun =
                body ->
                        body.toString().contains("CIO_MISSING_KEY")
                                ? Behavior.FAILS_AT_RUNTIME
                                : Behavior.HEALTHY;

        Result result =
                ops.run(
                        "upgrade",
                        newJar.toString(),
                        "--set",
                        "customerio.api-key-env=CIO_MISSING_KEY");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        List<Job> started = flink.started();
        assertThat(started).hasSize(2);
        assertThat(started.get(0).state).isEqualTo("CANCELED");
        assertThat(result.stderr())
                .contains("is RESTARTING; its root exception")
                .contains("the environment variable CIO_MISSING_KEY is not set")
                .contains("Cancelling job " + started.get(0).id);
        // The failed jar is removed from the cluster; the old one is uploaded again.
        assertThat(flink.jars().values()).containsExactly("forwarder-1.jar");
        assertRolledBack(started.get(1));
    }

    @Test
    void aNewJobWithoutACheckpointInTimeIsRolledBack() throws Exception {
        flink.behaviorOfRun =
                body ->
                        body.path("programArgsList").toString().contains("linger")
                                ? Behavior.NEVER_CHECKPOINTS
                                : Behavior.HEALTHY;

        Result result =
                ops.run(
                        "upgrade",
                        newJar.toString(),
                        "--set",
                        "customerio.batch.linger=1s",
                        "--timeout",
                        "1");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        assertThat(result.stderr()).contains("completed no checkpoint within 1s");
        assertRolledBack(flink.started().get(1));
    }

    @Test
    void theRollbackNeverAllowsNonRestoredState() throws Exception {
        flink.behaviorOfRun =
                body ->
                        body.path("allowNonRestoredState").asBoolean()
                                ? Behavior.FAILS_AT_RUNTIME
                                : Behavior.HEALTHY;

        Result result = ops.run("upgrade", newJar.toString(), "--allow-non-restored-state");

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(2);
        assertThat(flink.started().get(0).runBody.path("allowNonRestoredState").asBoolean())
                .isTrue();
        assertRolledBack(flink.started().get(1));
    }

    /** The previous jar, settings and parallelism, from the upgrade's savepoint. */
    private void assertRolledBack(Job rollback) {
        assertThat(rollback.state).isEqualTo("RUNNING");
        assertThat(rollback.programArgs())
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "broker:9092",
                        "--customerio.site-id",
                        "site",
                        "--customerio.send-created-at",
                        "true");
        assertThat(rollback.parallelism).isEqualTo(2);
        assertThat(rollback.runBody.path("savepointPath").asText())
                .contains("savepoint-" + OLD.substring(0, 6));
        assertThat(rollback.runBody.path("allowNonRestoredState").asBoolean(true)).isFalse();
        assertThat(ops.records().read(rollback.id).orElseThrow().note())
                .isEqualTo("rollback after a failed upgrade of job " + OLD);
        assertThat(ops.records().read(rollback.id).orElseThrow().jar()).isEqualTo(oldJar);
    }

    @Test
    void aJobManagerGoneAfterTheStopIsNeverReportedAsNothingChanged() {
        flink.diesAt = request -> request.matches("POST /jars/.*/run");

        Result result = ops.run("upgrade", newJar.toString());

        assertThat(flink.requests()).contains("POST /jobs/" + OLD + "/stop");
        assertThat(result.exitCode()).as(result.describe()).isEqualTo(3);
        assertThat(result.stdout()).isBlank();
        assertThat(result.stderr())
                .contains("unreachable")
                .contains("may NOT be running")
                .contains("savepoint-" + OLD.substring(0, 6))
                .contains(
                        "scripts/submit.sh --jar "
                                + oldJar
                                + " --settings "
                                + ops.records().settingsFile(OLD)
                                + " --parallelism 2 --savepoint file:")
                .doesNotContainIgnoringCase("nothing changed");
    }

    @Test
    void aRollbackThatFailsTooEndsWithTheSavepointAndTheCommandToStartIt() {
        flink.runRefusal = job -> "the cluster has no room for another job";

        Result result = ops.run("upgrade", newJar.toString());

        assertThat(result.exitCode()).as(result.describe()).isEqualTo(3);
        assertThat(flink.requests().stream().filter(r -> r.endsWith("/run"))).hasSize(2);
        assertThat(result.stderr())
                .contains("and so did the rollback: the forwarder is NOT running")
                .contains("the cluster has no room for another job")
                .contains("Its state is safe in the savepoint file:")
                .contains("scripts/submit.sh --jar " + oldJar);
        assertThat(result.stdout()).isBlank();
    }

    @Test
    void aJobStartedWithoutARecordIsNotStopped() {
        String other = "ffeeddccbbaa99887766554433221100";
        flink.runningJob(other, "other-forwarder", 1);
        Result result = ops.run("upgrade", newJar.toString(), "--name", "other-forwarder");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("there is no record of how job " + other + " was started");
        assertThat(flink.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void aChangedMaximumParallelismOrTooFewSlotsAreRefusedBeforeTheStop() {
        Result max = ops.run("upgrade", newJar.toString(), "--set", "job.max-parallelism=360");
        assertThat(max.exitCode()).isEqualTo(1);
        assertThat(max.stderr()).contains("job.max-parallelism would change from 720 to 360");

        flink.slots = 2;
        Result slots = ops.run("upgrade", newJar.toString(), "--parallelism", "4");
        assertThat(slots.exitCode()).isEqualTo(1);
        assertThat(slots.stderr())
                .contains("parallelism 4 needs 4 task slots and the cluster has 2")
                .contains("OPS_SLOT_CHECK=false");
        assertThat(flink.requests()).noneMatch(r -> r.startsWith("POST"));
    }
}
