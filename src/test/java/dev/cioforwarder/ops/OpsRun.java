package dev.cioforwarder.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the operations tool in-process against a {@link FakeFlinkCluster}, as the scripts would run
 * it, with short polls and timeouts, and keeps what it printed. Also writes job records as the tool
 * (and the bash scripts before it) wrote them.
 */
final class OpsRun {

    /** What a command did: its exit status, stdout (the result) and stderr (progress, errors). */
    record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }

        String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    private final FakeFlinkCluster flink;
    private final Path opsDir;
    private final Map<String, String> env = new LinkedHashMap<>();

    OpsRun(FakeFlinkCluster flink, Path dir) {
        this.flink = flink;
        this.opsDir = dir.resolve("ops");
        env.put("FLINK_URL", flink.url());
        env.put("CIO_OPS_DIR", opsDir.toString());
        env.put("POLL_SECONDS", "0.01");
        env.put("REST_TIMEOUT", "2");
        env.put("SAVEPOINT_TIMEOUT", "5");
    }

    OpsRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Path opsDir() {
        return opsDir;
    }

    JobRecords records() {
        return new JobRecords(opsDir);
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = OpsCommand.run(args, env, o, e);
        }
        return new Result(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A file standing in for a job jar: the fake cluster does not look inside. */
    static Path jar(Path dir, String name) throws IOException {
        Path jar = dir.resolve(name);
        Files.writeString(jar, "not really a jar: " + name);
        return jar;
    }

    /**
     * The record of a running job, as submit wrote it: its settings, its jar (uploaded to the fake,
     * so a rollback finds it there) and parallelism.
     */
    Path record(String jobId, Path jar, int parallelism, String... settings) throws IOException {
        Path dir = opsDir.resolve("jobs").resolve(jobId);
        Files.createDirectories(dir);
        StringBuilder text = new StringBuilder("# Settings job " + jobId + "\n");
        for (String s : settings) {
            text.append(s).append('\n');
        }
        Files.writeString(dir.resolve("settings.properties"), text.toString());
        Files.writeString(
                dir.resolve("job.properties"),
                "job-id="
                        + jobId
                        + "\njob-name=mparticle-customerio-forwarder\nflink-url="
                        + flink.url()
                        + "\njar="
                        + jar
                        + "\njar-id=\nparallelism="
                        + parallelism
                        + "\nrestored-from=\nallow-non-restored-state=false\nprevious-job=\n"
                        + "note=submitted\nsubmitted-at=2026-01-01T00:00:00Z\n");
        return dir;
    }
}
