package dev.cioforwarder.ops;

import dev.cioforwarder.ops.JobRecords.JobRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * scripts/resume.sh: the forwarder started again after it died without a savepoint (a JobManager
 * killed or restarted without HA), from its newest retained checkpoint, with its recorded jar,
 * settings and parallelism.
 */
@Command(
        name = "resume",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis = {
            "scripts/resume.sh [--job ID] [--name NAME] [--checkpoint-dir DIR] [--set key=value"
                    + " ...]",
            "                  [--parallelism N] [--jar JAR] [--allow-non-restored-state]",
            "                  [--flink URL] [--timeout SECONDS] [--dry-run]"
        },
        description = {
            "",
            "Resubmits the forwarder from its newest retained checkpoint. Prints the new job id on"
                    + " stdout.",
            "",
            "Which job: the one whose record under $CIO_OPS_DIR/jobs/ was written last (every start"
                    + " through run-local.sh, submit.sh, upgrade.sh or rescale.sh writes one),"
                    + " among jobs named $JOB_NAME.",
            "Which state: the newest <checkpoint dir>/<job id>/chk-<n>/_metadata, or a savepoint"
                    + " recorded for that job if one is newer; when the job completed no"
                    + " checkpoint, the checkpoint or savepoint it was itself started from (it"
                    + " committed nothing since).",
            "How: as scripts/submit.sh --savepoint <that path> with the jar, settings and"
                    + " parallelism recorded for the job (a --set here wins over a recorded"
                    + " setting).",
            ""
        },
        footer = {
            "",
            "Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR"
        })
final class ResumeCommand extends OpsSubcommand {

    @Option(
            names = "--job",
            paramLabel = "ID",
            description = "resume this recorded job instead of the last one")
    String job;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "the job name to look for (default $JOB_NAME)")
    String name;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            description =
                    "the checkpoint directory (default: the cluster's execution.checkpointing.dir,"
                            + " GET /jobmanager/config); a local path or file:// URI")
    String checkpointDir;

    @Option(
            names = "--set",
            paramLabel = "key=value",
            description = "change one setting on the way (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "default: the recorded parallelism")
    Integer parallelism;

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description = "default: the recorded copy of the job's jar")
    Path jar;

    @Option(
            names = "--allow-non-restored-state",
            description = "start although state of a removed operator is dropped (know why)")
    boolean allowNonRestoredState;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "how long to wait for the job to run (default 300)")
    int timeoutSeconds = 300;

    @Option(
            names = "--dry-run",
            description =
                    "print the chosen checkpoint on stdout and the command on stderr; submit"
                            + " nothing")
    boolean dryRun;

    @Override
    int execute() {
        Positive.require("--parallelism", parallelism);
        Positive.require("--timeout", timeoutSeconds);
        String jobName = env.jobName(name);
        JobRecords records = new JobRecords(env.opsDir());
        // Settings first: a refused secret must not be echoed in "Would run" below.
        JobSettings overrides = new JobSettings();
        sets.forEach(overrides::set);
        String jobId = whichJob(records, jobName);
        JobRecord record = records.read(jobId).orElseThrow();
        console.info(
                "Last recorded job named \""
                        + jobName
                        + "\": "
                        + jobId
                        + " ("
                        + record.note()
                        + ", started "
                        + record.submittedAt()
                        + ")");

        JobControl control = control();
        String dir = checkpointDir != null ? checkpointDir : clusterCheckpointDir(control);
        Optional<Path> local = ResumePoint.localPath(dir);
        if (local.isEmpty()) {
            throw OpsFailure.nothingChanged(
                    "the checkpoint directory "
                            + dir
                            + " is not on a local file system, and resume can only list local"
                            + " directories. Find the newest "
                            + dir
                            + "/"
                            + jobId
                            + "/chk-<n> that holds a _metadata file and run: scripts/submit.sh"
                            + " --savepoint <that chk-<n>> --settings "
                            + records.settingsFile(jobId)
                            + " --jar "
                            + record.jar());
        }
        ResumePoint.Choice choice = ResumePoint.choose(record, local.get(), records);
        console.info("Resuming from " + choice.description() + ": " + choice.path());

        Path jobJar = jar != null ? jar.toAbsolutePath() : record.jar();
        if (jobJar == null || !Files.isRegularFile(jobJar)) {
            throw OpsFailure.nothingChanged(
                    "the recorded jar of job "
                            + jobId
                            + ", "
                            + jobJar
                            + ", is gone; give the jar with --jar JAR");
        }
        Integer p = parallelism != null ? parallelism : record.parallelism();
        JobSettings settings = records.settings(jobId);
        overrides.asMap().forEach(settings::set);
        String command =
                "scripts/submit.sh --jar "
                        + jobJar
                        + " --settings "
                        + records.settingsFile(jobId)
                        + " --savepoint "
                        + choice.path()
                        + (p != null ? " --parallelism " + p : "")
                        + (allowNonRestoredState ? " --allow-non-restored-state" : "")
                        + setsText();
        if (dryRun) {
            console.info("Would run: " + command);
            console.result(choice.path());
            return 0;
        }
        console.info("Resubmitting, as: " + command);
        control.checkCluster();
        String resumed =
                Submission.submit(
                        control,
                        jobJar,
                        settings,
                        p,
                        choice.path(),
                        allowNonRestoredState,
                        Duration.ofSeconds(timeoutSeconds),
                        "resumed job " + jobId + " from " + choice.path());
        console.result(resumed);
        return 0;
    }

    private String setsText() {
        StringBuilder text = new StringBuilder();
        sets.forEach(s -> text.append(" --set ").append(s));
        return text.toString();
    }

    private String whichJob(JobRecords records, String jobName) {
        if (job != null) {
            if (!job.matches("[0-9a-fA-F]{32}")) {
                throw OpsFailure.nothingChanged(
                        "--job takes a Flink job id (32 hexadecimal characters), got \""
                                + job
                                + "\"");
            }
            if (!records.exists(job)) {
                throw OpsFailure.nothingChanged(
                        "there is no record of job "
                                + job
                                + " under "
                                + records.opsDir().resolve("jobs")
                                + "/ (run-local.sh, submit.sh, upgrade.sh and rescale.sh write one"
                                + " per job they start). Is CIO_OPS_DIR or CIO_STATE_DIR right?");
            }
            return job;
        }
        String last =
                records.lastRecordedJob(jobName)
                        .orElseThrow(
                                () ->
                                        OpsFailure.nothingChanged(
                                                "no job named \""
                                                        + jobName
                                                        + "\" is recorded under "
                                                        + records.opsDir().resolve("jobs")
                                                        + "/: resume resumes a job that"
                                                        + " run-local.sh, submit.sh, upgrade.sh"
                                                        + " or rescale.sh started, from its"
                                                        + " record. Is CIO_OPS_DIR or"
                                                        + " CIO_STATE_DIR right? A job never"
                                                        + " started that way: scripts/submit.sh"
                                                        + " --savepoint <dir>/<job id>/chk-<n>."));
        if (!records.exists(last)) {
            throw OpsFailure.nothingChanged(
                    "the record of job "
                            + last
                            + " under "
                            + records.opsDir().resolve("jobs")
                            + "/ is incomplete (job.properties and settings.properties are"
                            + " needed)");
        }
        return last;
    }

    /** The cluster's execution.checkpointing.dir. */
    private static String clusterCheckpointDir(JobControl control) {
        String dir = control.flink().jobManagerConfig().get("execution.checkpointing.dir");
        if (dir == null || dir.isBlank()) {
            throw OpsFailure.nothingChanged(
                    "the cluster at "
                            + control.flink().baseUrl()
                            + " has no execution.checkpointing.dir configured; give the directory"
                            + " the job's checkpoints were written to with --checkpoint-dir DIR");
        }
        return dir;
    }
}
