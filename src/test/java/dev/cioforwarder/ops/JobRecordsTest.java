package dev.cioforwarder.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.ops.JobRecords.JobRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job records: the bash scripts' format read as it is, and what this tool writes read back. */
class JobRecordsTest {

    private static final String JOB = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    @TempDir Path dir;

    @Test
    void aRecordTheBashScriptsWroteIsRead() throws Exception {
        Path record = dir.resolve("jobs").resolve(JOB);
        Files.createDirectories(record);
        // As the bash scripts wrote them before the Java tool (write_job_record in scripts/ops).
        Files.writeString(
                record.resolve("settings.properties"),
                "# Settings job "
                        + JOB
                        + " was started with (scripts/submit.sh, 2026-11-28T10:00:00Z).\n"
                        + "# upgrade.sh and rescale.sh start its successor with these unless told"
                        + " otherwise.\n"
                        + "kafka.bootstrap-servers=127.0.0.1:9092\n"
                        + "customerio.endpoint=http://127.0.0.1:8090\n"
                        + "job.name=a\\\\b\n");
        Files.writeString(
                record.resolve("job.properties"),
                "job-id="
                        + JOB
                        + "\n"
                        + "job-name=mparticle-customerio-forwarder\n"
                        + "flink-url=http://127.0.0.1:8081\n"
                        + "jar=/repo/.local-stack/ops/jars/abc-forwarder.jar\n"
                        + "jar-id=x_forwarder.jar\n"
                        + "parallelism=2\n"
                        + "restored-from=file:/sp/savepoint-0a1b2c-1\n"
                        + "allow-non-restored-state=false\n"
                        + "previous-job=\n"
                        + "note=submitted from x\n"
                        + "submitted-at=2026-11-28T10:00:00Z\n");
        Files.writeString(
                record.resolve("savepoints"), "2026-11-28T10:05:00Z file:/sp/savepoint-0a1b2c-2\n");

        JobRecords records = new JobRecords(dir);
        assertThat(records.exists(JOB)).isTrue();
        JobRecord r = records.read(JOB).orElseThrow();
        assertThat(r.jar()).isEqualTo(Path.of("/repo/.local-stack/ops/jars/abc-forwarder.jar"));
        assertThat(r.jarId()).isEqualTo("x_forwarder.jar");
        assertThat(r.parallelism()).isEqualTo(2);
        assertThat(r.restoredFrom()).isEqualTo("file:/sp/savepoint-0a1b2c-1");
        assertThat(r.previousJob()).isNull();
        assertThat(records.settings(JOB).programArgs())
                .containsExactly(
                        "--kafka.bootstrap-servers",
                        "127.0.0.1:9092",
                        "--customerio.endpoint",
                        "http://127.0.0.1:8090",
                        "--job.name",
                        "a\\b");
        assertThat(records.savepoints(JOB)).containsExactly("file:/sp/savepoint-0a1b2c-2");
        assertThat(records.lastRecordedJob("mparticle-customerio-forwarder")).contains(JOB);
        assertThat(records.lastRecordedJob("another-name")).isEmpty();
    }

    @Test
    void whatIsWrittenReadsBackTheSame() {
        JobRecords records = new JobRecords(dir);
        JobSettings settings =
                new JobSettings()
                        .set("kafka.topic", " leading space and a \\ backslash")
                        .set("customerio.endpoint", "https://h:1/a=b#c")
                        .set("job.name", "ünïcode");
        JobRecord record =
                new JobRecord(
                        JOB,
                        "ünïcode",
                        "http://127.0.0.1:8081",
                        Path.of("/jars/a\\b.jar"),
                        "id_a.jar",
                        3,
                        "file:/sp/x",
                        true,
                        "ffeeddccbbaa99887766554433221100",
                        "upgrade of job y",
                        "2026-01-01T00:00:00Z");
        records.write(record, settings);

        assertThat(records.read(JOB)).contains(record);
        assertThat(records.settings(JOB).asMap()).isEqualTo(settings.asMap());
        assertThat(records.settings(JOB).programArgs()).isEqualTo(settings.programArgs());
    }

    @Test
    void aJarIsKeptOnceAndAKeptCopyIsNotCopiedAgain() throws Exception {
        JobRecords records = new JobRecords(dir.resolve("ops"));
        Path jar = dir.resolve("forwarder.jar");
        Files.writeString(jar, "bytes of a jar");

        Path copy = records.keepJarCopy(jar);
        assertThat(copy.getParent()).isEqualTo(dir.resolve("ops/jars"));
        assertThat(copy.getFileName().toString()).matches("[0-9a-f]{64}-forwarder\\.jar");
        assertThat(copy).hasSameTextualContentAs(jar);
        assertThat(records.keepJarCopy(jar)).isEqualTo(copy);
        // resume.sh starts the recorded copy: it stays the one copy.
        assertThat(records.keepJarCopy(copy)).isEqualTo(copy);
        try (var files = Files.list(dir.resolve("ops/jars"))) {
            assertThat(files).containsExactly(copy);
        }
    }
}
