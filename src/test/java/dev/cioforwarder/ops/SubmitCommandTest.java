package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.ops.FakeFlinkCluster.Behavior;
import dev.cioforwarder.ops.FakeFlinkCluster.Job;
import dev.cioforwarder.ops.OpsRun.Result;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit.sh and savepoint.sh against a fake Flink REST API: exactly what is sent and recorded,
 * secrets refused before anything reaches the cluster, and the answers a real cluster rarely gives
 * on demand (two forwarders at once, a failed savepoint, nothing at the address).
 */
class SubmitCommandTest {

    private static final String JOB = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private static final String OTHER = "ffeeddccbbaa99887766554433221100";

    @TempDir Path dir;

    private FakeFlinkCluster flink;
    private OpsRun ops;

    @BeforeEach
    void start() throws Exception {
        flink = new FakeFlinkCluster(dir);
        ops = new OpsRun(flink, dir);
    }

    @AfterEach
    void stop() {
        flink.close();
    }

    @Test
    void theSettingsBecomeProgramArgumentsAndAreRecorded() throws Exception {
        Path settings = dir.resolve("forwarder.properties");
        Files.writeString(
                settings,
                "# comment\nkafka.bootstrap-servers = broker:9092\ncustomerio.site-id: site\n"
                        + "customerio.endpoint=https://proxy.example/track\n"
                        + "job.name=forwarder \\\n  eu\n");

        Result result =
                ops.run(
                        "submit",
                        "--jar",
                        OpsRun.jar(dir, "forwarder.jar").toString(),
                        "--settings",
                        settings.toString(),
                        "--set",
                        "customerio.send-created-at=true",
                        "--set",
                        "customerio.site-id=site-2",
                        "--savepoint",
                        "s3://bucket/savepoints/savepoint-1",
                        "--parallelism",
                        "3");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        Job job = flink.started().get(0);
        assertThat(result.stdout().strip()).isEqualTo(job.id);
        assertThat(job.runBody.path("entryClass").asText())
                .isEqualTo("dev.cioforwarder.job.ForwarderJob");
        assertThat(job.programArgs())
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "broker:9092",
                        "--customerio.site-id",
                        "site-2",
                        "--customerio.endpoint",
                        "https://proxy.example/track",
                        "--job.name",
                        "forwarder eu",
                        "--customerio.send-created-at",
                        "true");
        assertThat(job.parallelism).isEqualTo(3);
        assertThat(job.runBody.path("savepointPath").asText())
                .isEqualTo("s3://bucket/savepoints/savepoint-1");
        assertThat(job.runBody.path("allowNonRestoredState").asBoolean(true)).isFalse();
        assertThat(result.stderr()).contains("/#/job/running/" + job.id);

        Properties recorded = new Properties();
        try (Reader in = Files.newBufferedReader(ops.records().settingsFile(job.id))) {
            recorded.load(in);
        }
        assertThat(recorded)
                .containsEntry("customerio.site-id", "site-2")
                .containsEntry("job.name", "forwarder eu")
                .hasSize(5);
        assertThat(ops.records().read(job.id).orElseThrow().jobName()).isEqualTo("forwarder eu");
        assertThat(ops.records().read(job.id).orElseThrow().parallelism()).isEqualTo(3);
    }

    @Test
    void secretsAreRefusedBeforeAnythingIsUploaded() throws Exception {
        Path settings = dir.resolve("forwarder.properties");
        Files.writeString(settings, "customerio.site-id=site\ncustomerio.api-key=secret-123\n");
        Path jar = OpsRun.jar(dir, "forwarder.jar");

        Result result =
                ops.run("submit", "--jar", jar.toString(), "--settings", settings.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("CUSTOMERIO_API_KEY")
                .contains("customerio.api-key-file")
                .doesNotContain("secret-123");

        result =
                ops.run(
                        "submit",
                        "--jar",
                        jar.toString(),
                        "--set",
                        "kafka.property.sasl.jaas.config=x");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("kafka.properties-file");
        assertThat(flink.requests()).isEmpty();
    }

    @Test
    void aSecondForwarderOfTheSameNameIsRefused() throws Exception {
        flink.runningJob(JOB, "mparticle-customerio-forwarder", 2);
        Result result =
                ops.run("submit", "--jar", OpsRun.jar(dir, "f.jar").toString(), "--set", "a.b=c");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("a job named \"mparticle-customerio-forwarder\" is already running")
                .contains(JOB);
        assertThat(flink.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void aJobThatDoesNotStartIsCancelled() throws Exception {
        flink.behaviorOfRun = body -> Behavior.FAILS_AT_RUNTIME;
        Result result = ops.run("submit", "--jar", OpsRun.jar(dir, "f.jar").toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(flink.started().get(0).state).isEqualTo("CANCELED");
        assertThat(result.stderr())
                .contains("CIO_MISSING_KEY is not set")
                .contains("did not start and was cancelled");
    }

    @Test
    void severalRunningForwardersAreNotGuessedBetween() {
        flink.runningJob(JOB, "mparticle-customerio-forwarder", 2);
        flink.runningJob(OTHER, "mparticle-customerio-forwarder", 2);
        flink.runningJob("11112222333344445555666677778888", "mparticle-customerio-forwarder", 2)
                        .state =
                "FINISHED";

        Result result = ops.run("savepoint");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("more than one job named \"mparticle-customerio-forwarder\"")
                .contains(JOB)
                .contains(OTHER)
                .contains("--job ID")
                .doesNotContain("11112222333344445555666677778888");
        assertThat(flink.requests()).noneMatch(r -> r.startsWith("POST"));
    }

    @Test
    void aSavepointIsTakenAndRecorded() throws Exception {
        flink.runningJob(JOB, "mparticle-customerio-forwarder", 2);
        ops.record(JOB, OpsRun.jar(dir, "f.jar"), 2, "a.b=c");

        Result result = ops.run("savepoint", "--dir", "file:///elsewhere");

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout().strip()).contains("savepoint-" + JOB.substring(0, 6));
        assertThat(flink.job(JOB).state).isEqualTo("RUNNING");
        assertThat(
                        flink.lastBody("POST /jobs/" + JOB + "/savepoints")
                                .path("target-directory")
                                .asText())
                .isEqualTo("file:///elsewhere");
        assertThat(ops.records().savepoints(JOB)).containsExactly(result.stdout().strip());
    }

    @Test
    void nothingAtTheAddressIsSaidInPlainWords() {
        flink.close();
        Result result = ops.run("savepoint", "--flink", flink.url());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("the Flink cluster at " + flink.url() + " is unreachable");
        assertThat(result.stdout()).isBlank();

        Result job = ops.run("savepoint", "--job", "not-a-job-id");
        assertThat(job.exitCode()).isEqualTo(1);
    }

    @Test
    void anUnknownJobIsNotFound() {
        String unknown = "0123456789abcdef0123456789abcdef";
        Result result = ops.run("savepoint", "--job", unknown);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("job " + unknown + " not found");
        Result none = ops.run("savepoint");
        assertThat(none.stderr())
                .contains("no running job named \"mparticle-customerio-forwarder\"");
    }

    @Test
    void usageErrorsExitWithOneNotWithTheRollbackStatus() {
        Result result = ops.run("upgrade", "new.jar", "--no-such-option");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("--no-such-option");
        assertThat(ops.run("rescale", "two").exitCode()).isEqualTo(1);
        assertThat(ops.run("rescale", "0").exitCode()).isEqualTo(1);
    }
}
