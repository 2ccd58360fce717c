package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.JobRecords.JobRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An upgrade, or a rescale by savepoint: stop the running job with a savepoint, start a job (a new
 * jar, new settings or another parallelism) from it, and wait until that job runs all its tasks and
 * has completed a checkpoint of its own. If it does not get there (Flink refuses it, it fails,
 * restarts, or time runs out), it is cancelled and the old jar starts again from the same savepoint
 * with its old settings and parallelism: the rollback rule of docs/operations.md.
 *
 * <p>Until its first checkpoint the new job has committed nothing (offsets and dead letters commit
 * on checkpoints), so the old version resumes exactly where it stopped. Outcomes, as exit status: 0
 * done; 1 nothing changed (the old job still runs); 2 rolled back; 3 the rollback failed too, or
 * something failed after the old job was stopped: the message names the savepoint and the command
 * that starts the old version from it.
 */
public final class Redeployment {

    /** What is being done, for the messages ("upgrade", "rescale"). */
    private final String what;

    private final JobControl control;
    private final JobStart starting;
    private final JobEnd ending;
    private final String flinkUrl;

    public Redeployment(String what, JobControl control) {
        this.what = what;
        this.control = control;
        this.starting = new JobStart(control);
        this.ending = new JobEnd(control);
        this.flinkUrl = control.flink().baseUrl();
    }

    /** What replaces the old job: a jar (null: the old one) and its settings and parallelism. */
    public record Target(
            Path newJar,
            JobSettings settings,
            Integer parallelism,
            boolean allowNonRestoredState,
            String savepointDirectory,
            Duration timeout) {}

    /** How it ended: the job that runs afterwards and the exit status (0 or 2). */
    public record Outcome(String runningJob, int exitCode) {}

    /**
     * Replaces {@code oldJob} as described; throws {@link OpsFailure} with exit status 1 or 3 when
     * it ends without a running forwarder it started.
     */
    public Outcome replace(String oldJob, Target target) {
        JobRecords records = control.records();
        JobRecord oldRecord =
                records.read(oldJob)
                        .filter(r -> records.exists(oldJob))
                        .orElseThrow(() -> noRecord(oldJob, records));
        int oldParallelism = control.details(oldJob).parallelism();
        int parallelism = target.parallelism() != null ? target.parallelism() : oldParallelism;
        checkParallelism(oldJob, target.settings(), parallelism, records);

        // Everything that can fail without touching the running job happens first: an upload
        // failure leaves the old job running.
        Path newCopy;
        String newJarId;
        if (target.newJar() != null) {
            newCopy = records.keepJarCopy(target.newJar());
            newJarId = uploadOrNothingChanged(() -> starting.upload(target.newJar()), oldJob);
        } else {
            newCopy = oldRecord.jar();
            newJarId = uploadOrNothingChanged(() -> starting.recordedJar(oldRecord), oldJob);
        }

        String savepoint;
        try {
            savepoint = ending.takeSavepoint(oldJob, true, target.savepointDirectory());
        } catch (OpsFailure e) {
            throw OpsFailure.nothingChanged(
                    "stopping job "
                            + oldJob
                            + " with a savepoint failed (reason above); nothing changed: the job"
                            + " is "
                            + control.stateOf(oldJob));
        }
        // From here on the old job is gone: whatever fails must say so, and how to start it.
        String manual = startCommand(oldRecord, records, oldParallelism, savepoint);
        try {
            return replaceStopped(
                    oldJob,
                    oldRecord,
                    oldParallelism,
                    target,
                    parallelism,
                    newCopy,
                    newJarId,
                    savepoint,
                    manual);
        } catch (OpsFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new OpsFailure(
                    OpsFailure.NOT_RUNNING,
                    e.getMessage()
                            + "\nThe old job had already been stopped with a savepoint: the"
                            + " forwarder may NOT be running (check the cluster). Its state is"
                            + " safe in "
                            + savepoint
                            + ". Start the previous version by hand if nothing runs:\n  "
                            + manual);
        }
    }

    private Outcome replaceStopped(
            String oldJob,
            JobRecord oldRecord,
            int oldParallelism,
            Target target,
            int parallelism,
            Path newCopy,
            String newJarId,
            String savepoint,
            String manual) {
        JobRecords records = control.records();
        Console console = control.console();
        String newJob = null;
        String failure;
        try {
            newJob =
                    starting.start(
                            newJarId,
                            target.settings(),
                            parallelism,
                            savepoint,
                            target.allowNonRestoredState());
            records.write(
                    new JobRecord(
                            newJob,
                            target.settings().jobName(),
                            flinkUrl,
                            newCopy,
                            newJarId,
                            parallelism,
                            savepoint,
                            target.allowNonRestoredState(),
                            oldJob,
                            what + " of job " + oldJob,
                            null),
                    target.settings());
            starting.awaitRunning(newJob, target.timeout());
            CheckpointStats checkpoint = starting.awaitFirstCheckpoint(newJob, target.timeout());
            console.info(
                    capitalized(what)
                            + " done: job "
                            + newJob
                            + " replaces job "
                            + oldJob
                            + " (parallelism "
                            + parallelism
                            + ", restored from "
                            + (checkpoint.restoredPath() != null
                                    ? checkpoint.restoredPath()
                                    : savepoint)
                            + ")");
            console.info("Web UI: " + control.flink().uiLink(newJob));
            return new Outcome(newJob, 0);
        } catch (JobDidNotStart e) {
            failure = e.getMessage();
        }
        console.error("the " + what + " failed:");
        console.detail(failure);
        if (newJob != null && !ending.cancelAndAwait(newJob)) {
            // Two forwarders would share the consumer group and the dead-letter transactional
            // ids: the old one is not started while the new one may still run.
            throw new OpsFailure(
                    OpsFailure.NOT_RUNNING,
                    "the "
                            + what
                            + " failed, and job "
                            + newJob
                            + " could not be seen ending after a cancel, so the previous version"
                            + " was not started again. Cancel job "
                            + newJob
                            + " (Flink web UI or PATCH /jobs/"
                            + newJob
                            + "?mode=cancel), then start the previous version from the savepoint"
                            + " "
                            + savepoint
                            + ":\n  "
                            + manual);
        }
        if (target.newJar() != null) {
            // The new jar is of no use on the cluster any more (a copy stays in the ops dir).
            try {
                control.flink().deleteJar(newJarId);
            } catch (RuntimeException ignored) {
                // Only tidiness.
            }
        }
        return rollback(
                oldJob, oldRecord, oldParallelism, savepoint, target.timeout(), failure, manual);
    }

    /** Starts the old job's jar again from the savepoint, with its recorded settings. */
    private Outcome rollback(
            String oldJob,
            JobRecord oldRecord,
            int oldParallelism,
            String savepoint,
            Duration timeout,
            String failure,
            String manual) {
        JobRecords records = control.records();
        Console console = control.console();
        console.info(
                "Rolling back: starting the jar of job " + oldJob + " again from " + savepoint);
        JobSettings oldSettings = records.settings(oldJob);
        String job = null;
        try {
            String jarId = starting.recordedJar(oldRecord);
            // Never with --allow-non-restored-state: the old jar has every operator of its state.
            job = starting.start(jarId, oldSettings, oldParallelism, savepoint, false);
            records.write(
                    new JobRecord(
                            job,
                            oldSettings.jobName(),
                            flinkUrl,
                            oldRecord.jar(),
                            jarId,
                            oldParallelism,
                            savepoint,
                            false,
                            oldJob,
                            "rollback after a failed " + what + " of job " + oldJob,
                            null),
                    oldSettings);
            starting.awaitRunning(job, timeout);
            starting.awaitFirstCheckpoint(job, timeout);
        } catch (JobDidNotStart | OpsFailure e) {
            console.detail(e.getMessage());
            throw rollbackFailed(
                    failure,
                    savepoint,
                    manual
                            + (job != null
                                    ? " (job " + job + " was started and did not get there)"
                                    : ""));
        }
        control.console().result(job);
        console.error(
                "the "
                        + what
                        + " failed and was rolled back: job "
                        + job
                        + " runs the previous jar and settings again,\n       restored from "
                        + savepoint
                        + ".\n       Why the new job failed:\n"
                        + indentedHead(failure));
        return new Outcome(job, OpsFailure.ROLLED_BACK);
    }

    private OpsFailure rollbackFailed(String failure, String savepoint, String manual) {
        return new OpsFailure(
                OpsFailure.NOT_RUNNING,
                "the "
                        + what
                        + " failed, and so did the rollback: the forwarder is NOT running.\n"
                        + "       Why the new job failed:\n"
                        + indentedHead(failure)
                        + "\n       Its state is safe in the savepoint "
                        + savepoint
                        + ". Start the previous version by hand:\n         "
                        + manual);
    }

    private void checkParallelism(
            String oldJob, JobSettings settings, int parallelism, JobRecords records) {
        int max = settings.maxParallelism();
        if (parallelism > max) {
            throw OpsFailure.nothingChanged(
                    "parallelism "
                            + parallelism
                            + " is above the job's maximum parallelism "
                            + max
                            + " (job.max-parallelism, fixed for the life of its state)");
        }
        int oldMax = records.settings(oldJob).maxParallelism();
        if (oldMax != max) {
            throw OpsFailure.nothingChanged(
                    "job.max-parallelism would change from "
                            + oldMax
                            + " to "
                            + max
                            + ": the keyed state of job "
                            + oldJob
                            + " cannot be restored with another maximum parallelism. Keep "
                            + oldMax
                            + ".");
        }
        control.requireSlots(parallelism);
    }

    private String uploadOrNothingChanged(
            java.util.function.Supplier<String> upload, String oldJob) {
        try {
            return upload.get();
        } catch (OpsFailure e) {
            throw OpsFailure.nothingChanged(
                    e.getMessage() + "\nNothing changed: job " + oldJob + " keeps running.");
        }
    }

    static OpsFailure noRecord(String jobId, JobRecords records) {
        return OpsFailure.nothingChanged(
                "there is no record of how job "
                        + jobId
                        + " was started ("
                        + records.dir(jobId)
                        + ");\nscripts/submit.sh and scripts/run-local.sh write one, jobs started"
                        + " another way have none. Without it there is no jar to roll back to and"
                        + " no settings to start the successor with. Stop the job with"
                        + " scripts/savepoint.sh --stop and start it with scripts/submit.sh"
                        + " --savepoint PATH instead.");
    }

    /** The command that starts the old version from the savepoint, for a person to run. */
    private static String startCommand(
            JobRecord oldRecord, JobRecords records, int parallelism, String savepoint) {
        return "scripts/submit.sh --jar "
                + oldRecord.jar()
                + " --settings "
                + records.settingsFile(oldRecord.jobId())
                + " --parallelism "
                + parallelism
                + " --savepoint "
                + savepoint;
    }

    private static String indentedHead(String failure) {
        List<String> lines = failure.lines().limit(4).toList();
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append("         ").append(line);
        }
        return text.toString();
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
