package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.FlinkRestClient.JobSummary;
import dev.cioforwarder.ops.FlinkRestClient.RunRequest;
import dev.cioforwarder.ops.JobControl.Deadline;
import dev.cioforwarder.ops.JobControl.Transient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Starting a job on the cluster of a {@link JobControl}: upload its jar, run it once, and wait
 * until every task runs and it has completed a checkpoint of its own.
 */
public final class JobStart {

    /** The forwarder's entry point in the job jar. */
    public static final String ENTRY_CLASS = "dev.cioforwarder.job.ForwarderJob";

    private final JobControl control;
    private final FlinkRestClient flink;
    private final Console console;
    private final JobRecords records;

    public JobStart(JobControl control) {
        this.control = control;
        this.flink = control.flink();
        this.console = control.console();
        this.records = control.records();
    }

    /** Uploads a jar; a failure leaves everything as it was. */
    public String upload(Path jar) {
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw OpsFailure.nothingChanged("jar " + jar + " does not exist or cannot be read");
        }
        long mb = jar.toFile().length() / 1024 / 1024;
        console.info("Uploading " + jar.getFileName() + " (" + mb + " MB) to " + flink.baseUrl());
        try {
            String jarId = flink.uploadJar(jar);
            console.info("Uploaded as " + jarId);
            return jarId;
        } catch (FlinkRestException e) {
            String hint =
                    e.status() == 404 || e.status() == 405
                            ? "\n(is jar upload enabled on the cluster? web.submit.enable: true)"
                            : "";
            throw OpsFailure.nothingChanged(
                    "uploading "
                            + jar
                            + " to "
                            + flink.baseUrl()
                            + "/jars/upload failed: "
                            + FlinkErrors.summary(e.errors(), 4)
                            + hint);
        }
    }

    /**
     * The cluster's id of a recorded job's jar: the one it was started from if the cluster still
     * has it, else the recorded copy uploaded again.
     */
    public String recordedJar(JobRecords.JobRecord record) {
        if (record.jarId() != null && flink.jarIds().contains(record.jarId())) {
            console.info(
                    "The cluster still has the jar of job "
                            + record.jobId()
                            + " ("
                            + record.jarId()
                            + ")");
            return record.jarId();
        }
        if (record.jar() == null || !Files.isRegularFile(record.jar())) {
            throw OpsFailure.nothingChanged(
                    "the jar of job "
                            + record.jobId()
                            + " is neither on the cluster ("
                            + record.jarId()
                            + ") nor at "
                            + record.jar());
        }
        return upload(record.jar());
    }

    /**
     * Starts the job (POST /jars/&lt;id&gt;/run) once. Throws {@link JobDidNotStart} with Flink's
     * reason when it refuses; a cluster that does not answer is not retried, since the job may have
     * started all the same.
     */
    public String start(
            String jarId,
            JobSettings settings,
            Integer parallelism,
            String savepoint,
            boolean allowNonRestoredState) {
        return start(jarId, ENTRY_CLASS, settings, parallelism, savepoint, allowNonRestoredState);
    }

    /** {@link #start} with another entry class of the job jar (the benchmark's). */
    public String start(
            String jarId,
            String entryClass,
            JobSettings settings,
            Integer parallelism,
            String savepoint,
            boolean allowNonRestoredState) {
        console.info(
                "Starting the job"
                        + (parallelism != null ? " with parallelism " + parallelism : "")
                        + (savepoint != null ? " from " + savepoint : "")
                        + (allowNonRestoredState ? " (allowing non-restored state)" : ""));
        try {
            String jobId =
                    flink.runJar(
                            jarId,
                            new RunRequest(
                                    entryClass,
                                    settings.programArgs(),
                                    parallelism,
                                    savepoint,
                                    allowNonRestoredState));
            console.info("Submitted job " + jobId);
            return jobId;
        } catch (FlinkRestException e) {
            Path answer = keepAnswer("run-refused", e);
            throw new JobDidNotStart(
                    null,
                    "Flink refused to run the job: "
                            + e.innermostCause()
                            + "\n(Flink's whole answer: "
                            + answer
                            + ")");
        }
    }

    /** Keeps Flink's whole error answer under the ops dir, for the details a summary leaves out. */
    private Path keepAnswer(String what, FlinkRestException e) {
        Path file =
                records.opsDir()
                        .resolve("logs")
                        .resolve(
                                DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                                                .withZone(ZoneOffset.UTC)
                                                .format(Instant.now())
                                        + "-"
                                        + what
                                        + ".txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    "HTTP " + e.status() + "\n" + String.join("\n", e.errors()) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException io) {
            console.warn("could not keep Flink's answer in " + file + ": " + io.getMessage());
        }
        return file;
    }

    /**
     * Waits until every task of the job runs. Throws {@link JobDidNotStart} when the job ends,
     * fails or restarts first, or after {@code timeout}.
     */
    public void awaitRunning(String jobId, Duration timeout) {
        Deadline deadline = new Deadline(timeout);
        String last = "";
        Transient unanswered = control.new Transient();
        while (true) {
            try {
                JobSummary job =
                        flink.jobs().stream()
                                .filter(j -> j.id().equals(jobId))
                                .findFirst()
                                .orElse(null);
                unanswered.clear();
                String state = job == null ? "not listed yet" : job.state();
                if (job != null && job.allTasksRunning()) {
                    console.info(
                            "Job " + jobId + " is RUNNING: all " + job.totalTasks() + " tasks");
                    return;
                }
                String failure = control.failedEarly(jobId, job == null ? "" : job.state(), 0);
                if (failure != null) {
                    throw new JobDidNotStart(jobId, failure);
                }
                String now =
                        state
                                + ", "
                                + (job == null ? 0 : job.runningTasks())
                                + "/"
                                + (job == null ? "?" : job.totalTasks())
                                + " tasks running";
                if (!now.equals(last)) {
                    console.info("Job " + jobId + " is " + now);
                    last = now;
                }
                if (deadline.expired()) {
                    throw new JobDidNotStart(
                            jobId,
                            "job "
                                    + jobId
                                    + " was not running after "
                                    + timeout.toSeconds()
                                    + "s (it is "
                                    + now
                                    + "; are there enough free slots? GET "
                                    + flink.baseUrl()
                                    + "/overview)");
                }
            } catch (FlinkUnreachableException | FlinkRestException e) {
                unanswered.seen(e, deadline);
                if (deadline.expired()) {
                    throw new JobDidNotStart(
                            jobId,
                            "job "
                                    + jobId
                                    + " was not seen running within "
                                    + timeout.toSeconds()
                                    + "s: "
                                    + e.getMessage());
                }
            }
            control.sleep();
        }
    }

    /**
     * Waits until the job has completed a checkpoint of its own (counts.completed counts this job's
     * checkpoints, not the savepoint it was restored from). A job can be RUNNING and still fail on
     * its first records or its first barrier; a completed checkpoint means every operator restored
     * its state and acknowledged, and the dead-letter sink can write transactions.
     */
    public CheckpointStats awaitFirstCheckpoint(String jobId, Duration timeout) {
        Deadline deadline = new Deadline(timeout);
        console.info("Waiting for job " + jobId + " to complete its first checkpoint");
        Transient unanswered = control.new Transient();
        while (true) {
            try {
                CheckpointStats stats = flink.checkpoints(jobId);
                if (stats.hasCompleted()) {
                    console.info(
                            "Job "
                                    + jobId
                                    + " completed checkpoint "
                                    + stats.latestCompletedId()
                                    + (stats.restoredPath() != null
                                            ? " (restored from " + stats.restoredPath() + ")"
                                            : ""));
                    return stats;
                }
                String state = flink.job(jobId).state();
                unanswered.clear();
                String failure = control.failedEarly(jobId, state, 0);
                if (failure != null) {
                    throw new JobDidNotStart(jobId, failure);
                }
                if (deadline.expired()) {
                    throw new JobDidNotStart(
                            jobId,
                            "job "
                                    + jobId
                                    + " completed no checkpoint within "
                                    + timeout.toSeconds()
                                    + "s (it is "
                                    + state
                                    + "; GET "
                                    + flink.baseUrl()
                                    + "/jobs/"
                                    + jobId
                                    + "/checkpoints)");
                }
            } catch (FlinkUnreachableException | FlinkRestException e) {
                unanswered.seen(e, deadline);
                if (deadline.expired()) {
                    throw new JobDidNotStart(
                            jobId,
                            "job "
                                    + jobId
                                    + " was not seen completing a checkpoint within "
                                    + timeout.toSeconds()
                                    + "s: "
                                    + e.getMessage());
                }
            }
            control.sleep();
        }
    }
}
