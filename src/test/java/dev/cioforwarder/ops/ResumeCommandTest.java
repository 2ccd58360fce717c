package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.ops.FakeFlinkCluster.Job;
import dev.cioforwarder.ops.JobRecords.JobRecord;
import dev.cioforwarder.ops.OpsRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * resume.sh after a JobManager lost without HA: which recorded job, from which retained checkpoint
 * or savepoint, with which jar, settings and parallelism; and plain words when there is nothing.
 */
class ResumeCommandTest {

    private static final String JOB = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private static final String OLDER_JOB = "ffeeddccbbaa99887766554433221100";

    @TempDir Path dir;

    private FakeFlinkCluster flink;
    private OpsRun ops;
    private Path jar;

    @BeforeEach
    void anEmptyClusterAfterARestart() throws Exception {
        flink = new FakeFlinkCluster(dir);
        ops = new OpsRun(flink, dir);
        jar = OpsRun.jar(dir, "forwarder.jar");
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    private void record(String job, int parallelism, String restoredFrom, long mtimeMs)
            throws IOException {
        Path record =
                ops.record(
                        job,
                        jar,
                        parallelism,
                        "kafka.bootstrap-servers=broker:9092",
                        "customerio.site-id=site-" + job.substring(0, 4));
        if (restoredFrom != null) {
            JobRecord r = ops.records().read(job).orElseThrow();
            ops.records()
                    .writeJobProperties(
                            new JobRecord(
                                    r.jobId(),
                                    r.jobName(),
                                    r.flinkUrl(),
                                    r.jar(),
                                    r.jarId(),
                                    r.parallelism(),
                                    restoredFrom,
                                    false,
                                    null,
                                    r.note(),
                                    r.submittedAt()));
        }
        Files.setLastModifiedTime(record.resolve("job.properties"), FileTime.fromMillis(mtimeMs));
    }

    private Path checkpoint(String job, String name, String metadata) throws IOException {
        Path chk = dir.resolve("checkpoints").resolve(job).resolve(name);
        Files.createDirectories(chk);
        if (metadata != null) {
            Files.writeString(chk.resolve("_metadata"), metadata);
        }
        return chk;
    }

    @Test
    void theLastRecordedJobStartsFromItsNewestCompletedCheckpoint() throws Exception {
        long now = System.currentTimeMillis();
        record(OLDER_JOB, 2, null, now - 60_000);
        record(JOB, 3, null, now);
        checkpoint(OLDER_JOB, "chk-40", "older job");
        checkpoint(JOB, "chk-3", "metadata");
        Path newest = checkpoint(JOB, "chk-12", "metadata");
        checkpoint(JOB, "chk-9", "metadata");
        checkpoint(JOB, "chk-13", null); // in progress when the JobManager died: no _metadata
        checkpoint(JOB, "chk-14", ""); // an empty _metadata is no checkpoint either
        Files.createDirectories(dir.resolve("checkpoints").resolve(JOB).resolve("shared"));

        Result result = ops.run("resume");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        Job resumed = flink.started().get(0);
        assertThat(result.stdout().strip()).isEqualTo(resumed.id);
        assertThat(result.stderr())
                .contains("Last recorded job named \"mparticle-customerio-forwarder\": " + JOB)
                .contains("Resuming from checkpoint chk-12 of job " + JOB);
        assertThat(resumed.runBody.path("savepointPath").asText()).isEqualTo(newest.toString());
        assertThat(resumed.runBody.path("allowNonRestoredState").asBoolean(true)).isFalse();
        assertThat(resumed.parallelism).isEqualTo(3);
        assertThat(resumed.programArgs())
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "broker:9092",
                        "--customerio.site-id",
                        "site-" + JOB.substring(0, 4));
        // The resumed job has its own record, which says where it came from.
        JobRecord record = ops.records().read(resumed.id).orElseThrow();
        assertThat(record.restoredFrom()).isEqualTo(newest.toString());
        assertThat(record.note()).contains("resumed job " + JOB);
    }

    @Test
    void aRecordedSavepointNewerThanTheLastCheckpointWins() throws Exception {
        record(JOB, 2, null, System.currentTimeMillis());
        Path chk = checkpoint(JOB, "chk-5", "metadata");
        Files.setLastModifiedTime(
                chk.resolve("_metadata"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Path savepoint = dir.resolve("savepoints/savepoint-0a1b2c-7");
        Files.createDirectories(savepoint);
        Files.writeString(savepoint.resolve("_metadata"), "metadata");
        ops.records().addSavepoint(JOB, "file:" + savepoint);

        Result dry = ops.run("resume", "--dry-run");

        assertThat(dry.exitCode()).as(dry.describe()).isZero();
        assertThat(dry.stdout().strip()).isEqualTo(savepoint.toString());
        assertThat(dry.stderr()).contains("newer than its last checkpoint").contains("Would run:");
        assertThat(flink.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void aJobWithoutCheckpointsResumesFromWhatItWasStartedFromOrNothing() throws Exception {
        Path savepoint = dir.resolve("savepoints/savepoint-0a1b2c-1");
        Files.createDirectories(savepoint);
        Files.writeString(savepoint.resolve("_metadata"), "metadata");
        record(JOB, 2, savepoint.toString(), System.currentTimeMillis());

        Result dry = ops.run("resume", "--dry-run");
        assertThat(dry.exitCode()).as(dry.describe()).isZero();
        assertThat(dry.stdout().strip()).isEqualTo(savepoint.toString());
        assertThat(dry.stderr()).contains("completed no checkpoint of its own");

        record(JOB, 2, null, System.currentTimeMillis());
        Result none = ops.run("resume");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stdout()).isBlank();
        assertThat(none.stderr())
                .contains("job " + JOB + " has no completed checkpoint")
                .contains("no chk-<n>/_metadata under " + dir.resolve("checkpoints").resolve(JOB))
                .contains("Nothing to resume from");
        assertThat(flink.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void withoutAnyRecordItSaysWhereItLooked() {
        Result result = ops.run("resume");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("no job named \"mparticle-customerio-forwarder\" is recorded under")
                .contains(ops.opsDir().resolve("jobs").toString());
        assertThat(flink.requests()).isEmpty();
    }

    @Test
    void aCheckpointDirectoryElsewhereGetsTheCommandToCompleteByHand() throws Exception {
        record(JOB, 2, null, System.currentTimeMillis());
        Result result = ops.run("resume", "--checkpoint-dir", "s3://bucket/checkpoints");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("s3://bucket/checkpoints is not on a local file system")
                .contains("scripts/submit.sh --savepoint <that chk-<n>>");
    }

    @Test
    void aSecretSetOnTheWayIsRefusedBeforeItIsEchoed() throws Exception {
        record(JOB, 2, null, System.currentTimeMillis());
        checkpoint(JOB, "chk-1", "metadata");
        Result result =
                ops.run("resume", "--dry-run", "--set", "customerio.api-key=not-a-real-key");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("CUSTOMERIO_API_KEY").doesNotContain("not-a-real-key");
    }
}
