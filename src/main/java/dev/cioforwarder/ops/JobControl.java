package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.FlinkRestClient.ClusterConfig;
import dev.cioforwarder.ops.FlinkRestClient.JobDetails;
import dev.cioforwarder.ops.FlinkRestClient.JobFailure;
import dev.cioforwarder.ops.FlinkRestClient.JobSummary;
import dev.cioforwarder.ops.FlinkRestClient.RunRequest;
import dev.cioforwarder.ops.FlinkRestClient.SavepointStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The steps every operation is made of, on one cluster: find the job, start one and wait until it
 * runs and has completed a checkpoint, take a savepoint, cancel. Polls retry a cluster that does
 * not answer (a JobManager restarting, a lost connection) until their deadline instead of giving up
 * at the first miss; calls that change something are made once.
 */
public final class JobControl {

    /** The forwarder's entry point in the job jar. */
    public static final String ENTRY_CLASS = "dev.cioforwarder.job.ForwarderJob";

    private static final Set<String> FAILING_STATES =
            Set.of("FAILING", "RESTARTING", "CANCELLING", "SUSPENDED");
    private static final Duration CANCEL_TIMEOUT = Duration.ofMinutes(2);

    /** Flink adds a failure to the exception history a moment after the state changes. */
    private static final Duration FAILURE_REPORT_WAIT = Duration.ofSeconds(15);

    private final FlinkRestClient flink;
    private final Console console;
    private final JobRecords records;
    private final Duration poll;
    private final Duration savepointTimeout;
    private final boolean slotCheck;

    public JobControl(
            FlinkRestClient flink,
            Console console,
            JobRecords records,
            Duration poll,
            Duration savepointTimeout,
            boolean slotCheck) {
        this.flink = flink;
        this.console = console;
        this.records = records;
        this.poll = poll;
        this.savepointTimeout = savepointTimeout;
        this.slotCheck = slotCheck;
    }

    public FlinkRestClient flink() {
        return flink;
    }

    public Console console() {
        return console;
    }

    public JobRecords records() {
        return records;
    }

    // -------------------------------------------------------------------------------------
    // The cluster and its jobs

    /** Checks that the address is a Flink REST API; warns when it is not Flink 2.2. */
    public ClusterConfig checkCluster() {
        ClusterConfig config;
        try {
            config = flink.config();
        } catch (FlinkRestException e) {
            throw OpsFailure.nothingChanged(
                    flink.baseUrl()
                            + " answered HTTP "
                            + e.status()
                            + " to GET /config, not like a Flink REST API; is --flink right?");
        }
        if (config.flinkVersion().isEmpty()) {
            throw OpsFailure.nothingChanged(
                    flink.baseUrl()
                            + " answered GET /config without a flink-version, not like a Flink REST"
                            + " API; is --flink right?");
        }
        if (!config.flinkVersion().startsWith("2.2.")) {
            console.warn(
                    "the cluster at "
                            + flink.baseUrl()
                            + " runs Flink "
                            + config.flinkVersion()
                            + "; the job is built for Flink 2.2");
        }
        return config;
    }

    /** The job given with --job (checked to exist), else the single active job named so. */
    public String resolveJob(String given, String jobName) {
        if (given != null) {
            if (!given.matches("[0-9a-fA-F]{32}")) {
                throw OpsFailure.nothingChanged(
                        "job "
                                + given
                                + " not found: a Flink job id is 32 hexadecimal characters (see "
                                + flink.baseUrl()
                                + " or scripts/stack.sh status)");
            }
            try {
                flink.job(given);
            } catch (FlinkRestException e) {
                if (e.status() == 404) {
                    throw OpsFailure.nothingChanged(
                            "job "
                                    + given
                                    + " not found on the cluster at "
                                    + flink.baseUrl()
                                    + ".\nRunning jobs: "
                                    + activeJobsText());
                }
                throw OpsFailure.nothingChanged(
                        "GET /jobs/" + given + " failed: " + e.getMessage());
            }
            return given;
        }
        List<JobSummary> active = activeJobs(jobName);
        if (active.isEmpty()) {
            throw OpsFailure.nothingChanged(
                    "no running job named \""
                            + jobName
                            + "\" on the cluster at "
                            + flink.baseUrl()
                            + ".\nRunning jobs: "
                            + activeJobsText()
                            + "\nChoose one with --job ID (or --name NAME).");
        }
        if (active.size() > 1) {
            List<String> listed = new ArrayList<>();
            active.forEach(j -> listed.add(j.id() + " (" + j.state() + ")"));
            throw OpsFailure.nothingChanged(
                    "more than one job named \""
                            + jobName
                            + "\" is running on "
                            + flink.baseUrl()
                            + ": "
                            + String.join(", ", listed)
                            + ".\nSay which with --job ID.");
        }
        return active.get(0).id();
    }

    /** Jobs of that name that have not ended. */
    public List<JobSummary> activeJobs(String jobName) {
        List<JobSummary> active = new ArrayList<>();
        for (JobSummary job : flink.jobs()) {
            if (job.name().equals(jobName) && !job.isTerminal()) {
                active.add(job);
            }
        }
        return active;
    }

    private String activeJobsText() {
        List<String> listed = new ArrayList<>();
        for (JobSummary job : flink.jobs()) {
            if (!job.isTerminal()) {
                listed.add(job.id() + " " + job.state() + " \"" + job.name() + "\"");
            }
        }
        return listed.isEmpty() ? "none" : String.join(", ", listed);
    }

    /**
     * A parallelism needs that many task slots (every stage of the job shares one slot sharing
     * group). Refused before anything is stopped, unless OPS_SLOT_CHECK=false says the cluster
     * starts TaskManagers on demand (Kubernetes native, YARN).
     */
    public void requireSlots(int parallelism) {
        if (!slotCheck) {
            return;
        }
        int slots = flink.overview().slotsTotal();
        if (slots > 0 && parallelism > slots) {
            throw OpsFailure.nothingChanged(
                    "parallelism "
                            + parallelism
                            + " needs "
                            + parallelism
                            + " task slots and the cluster has "
                            + slots
                            + " in all.\nAdd TaskManagers first (locally: scripts/stack.sh"
                            + " start-taskmanager), or set OPS_SLOT_CHECK=false where the cluster"
                            + " starts TaskManagers on demand. Nothing changed.");
        }
    }

    /**
     * The job's state, or UNKNOWN when the cluster does not say. Read from the job list (GET
     * /jobs/overview), which the dispatcher answers from the schedulers: GET /jobs/{id} is served
     * from a cache refreshed every web.refresh-interval (3 s), so a job that was just started can
     * still show CREATED there.
     */
    public String stateOf(String jobId) {
        try {
            for (JobSummary job : flink.jobs()) {
                if (job.id().equals(jobId)) {
                    return job.state();
                }
            }
            return flink.job(jobId).state();
        } catch (FlinkRestException | FlinkUnreachableException e) {
            return "UNKNOWN";
        }
    }

    // -------------------------------------------------------------------------------------
    // Starting a job

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
        Transient unanswered = new Transient();
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
                String failure = failedEarly(jobId, job == null ? "" : job.state(), 0);
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
            sleep();
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
        Transient unanswered = new Transient();
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
                String failure = failedEarly(jobId, state, 0);
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
            sleep();
        }
    }

    /**
     * Why the job is not going to work, or null: it has ended, is failing or restarting, or has a
     * failure in its exception history since {@code sinceMs}. Before its first checkpoint any of
     * these means the start did not work.
     */
    String failedEarly(String jobId, String state, long sinceMs) {
        JobFailure failure = failureSince(jobId, sinceMs);
        if (FlinkRestClient.TERMINAL_STATES.contains(state) || FAILING_STATES.contains(state)) {
            Deadline wait = new Deadline(FAILURE_REPORT_WAIT);
            while (failure == null && !wait.expired()) {
                sleep();
                failure = failureSince(jobId, sinceMs);
            }
            return "job "
                    + jobId
                    + " is "
                    + state
                    + (failure != null ? "; its root exception:\n" + summary(failure) : "");
        }
        if (failure != null) {
            return "job "
                    + jobId
                    + " failed (it is "
                    + state
                    + ": Flink restarts it); its root exception:\n"
                    + summary(failure);
        }
        return null;
    }

    private JobFailure failureSince(String jobId, long sinceMs) {
        try {
            JobFailure failure = flink.newestFailure(jobId);
            return failure != null && failure.timestamp() >= sinceMs ? failure : null;
        } catch (FlinkRestException | FlinkUnreachableException e) {
            return null;
        }
    }

    private static String summary(JobFailure failure) {
        return String.join("\n", FlinkErrors.exceptionLines(failure.trace(), 10));
    }

    // -------------------------------------------------------------------------------------
    // Ending a job

    /** Cancels a job and waits until it has ended; false when that could not be seen. */
    public boolean cancelAndAwait(String jobId) {
        console.info("Cancelling job " + jobId);
        try {
            flink.cancel(jobId);
        } catch (FlinkRestException e) {
            if (e.status() != 404) {
                console.warn("cancelling job " + jobId + ": " + e.getMessage());
            }
        } catch (FlinkUnreachableException e) {
            console.warn("cancelling job " + jobId + ": " + e.getMessage());
        }
        Deadline deadline = new Deadline(CANCEL_TIMEOUT);
        while (true) {
            try {
                String state = flink.job(jobId).state();
                if (FlinkRestClient.TERMINAL_STATES.contains(state)) {
                    console.info("Job " + jobId + " is " + state);
                    return true;
                }
                if (deadline.expired()) {
                    console.warn("job " + jobId + " is still " + state + " 120 s after the cancel");
                    return false;
                }
            } catch (FlinkRestException e) {
                if (e.status() == 404) {
                    console.info("Job " + jobId + " is gone");
                    return true;
                }
                if (deadline.expired()) {
                    return false;
                }
            } catch (FlinkUnreachableException e) {
                if (deadline.expired()) {
                    console.warn("job " + jobId + " could not be seen ending: " + e.getMessage());
                    return false;
                }
            }
            sleep();
        }
    }

    /**
     * Triggers a savepoint (or stop-with-savepoint) and waits until it completes; returns its path,
     * recorded in the job's record. Throws {@link OpsFailure} (nothing changed) when it fails:
     * Flink keeps the job running after a failed savepoint, even with stop.
     */
    public String takeSavepoint(String jobId, boolean stop, String directory) {
        String where = directory != null ? " in " + directory : "";
        console.info(
                (stop
                                ? "Stopping job " + jobId + " with a savepoint"
                                : "Triggering a savepoint of job " + jobId)
                        + where);
        String trigger;
        try {
            trigger = flink.triggerSavepoint(jobId, stop, directory);
        } catch (FlinkRestException e) {
            throw savepointFailed(
                    jobId, "Flink refused the savepoint: " + FlinkErrors.summary(e.errors(), 6));
        }
        Deadline deadline = new Deadline(savepointTimeout);
        Deadline nextNote = new Deadline(Duration.ofSeconds(15));
        long started = System.nanoTime();
        Transient unanswered = new Transient();
        SavepointStatus status;
        while (true) {
            try {
                status = flink.savepointStatus(jobId, trigger);
                unanswered.clear();
                if (status.done()) {
                    break;
                }
            } catch (FlinkRestException | FlinkUnreachableException e) {
                unanswered.seen(e, deadline);
            }
            if (deadline.expired()) {
                throw savepointFailed(
                        jobId,
                        "the savepoint did not complete within "
                                + savepointTimeout.toSeconds()
                                + "s (trigger "
                                + trigger
                                + "; SAVEPOINT_TIMEOUT)");
            }
            if (nextNote.expired()) {
                console.info(
                        "savepoint still in progress ("
                                + Duration.ofNanos(System.nanoTime() - started).toSeconds()
                                + "s)");
                nextNote = new Deadline(Duration.ofSeconds(15));
            }
            sleep();
        }
        if (status.location() == null) {
            String trace = status.failureTrace() == null ? "" : status.failureTrace();
            throw savepointFailed(
                    jobId,
                    "the savepoint failed: "
                            + FlinkErrors.innermostCause(trace)
                            + "\n"
                            + String.join("\n", FlinkErrors.exceptionLines(trace, 8)));
        }
        String path = status.location();
        records.addSavepoint(jobId, path);
        if (stop) {
            String state = awaitEnded(jobId);
            console.info("Job " + jobId + " is " + state + "; savepoint: " + path);
        } else {
            console.info("Savepoint of job " + jobId + ": " + path);
        }
        return path;
    }

    private OpsFailure savepointFailed(String jobId, String reason) {
        console.detail(reason);
        return OpsFailure.nothingChanged(
                "the savepoint of job "
                        + jobId
                        + " failed (reason above); the job is "
                        + stateOf(jobId));
    }

    /** After a stop-with-savepoint: the job's end, or its state when it does not end in time. */
    private String awaitEnded(String jobId) {
        Deadline deadline = new Deadline(CANCEL_TIMEOUT);
        String state = "UNKNOWN";
        while (!deadline.expired()) {
            state = stateOf(jobId);
            if (FlinkRestClient.TERMINAL_STATES.contains(state)) {
                return state;
            }
            sleep();
        }
        console.warn("the savepoint is complete but job " + jobId + " is still " + state);
        return state;
    }

    public JobDetails details(String jobId) {
        return flink.job(jobId);
    }

    /** The latest checkpoint state, or empty when the cluster does not answer. */
    Optional<CheckpointStats> checkpointsIfAnswered(String jobId) {
        try {
            return Optional.of(flink.checkpoints(jobId));
        } catch (FlinkRestException | FlinkUnreachableException e) {
            return Optional.empty();
        }
    }

    void sleep() {
        try {
            Thread.sleep(poll.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsFailure(OpsFailure.NOTHING_CHANGED, "interrupted");
        }
    }

    Duration pollInterval() {
        return poll;
    }

    /** A point in time a wait ends at. */
    static final class Deadline {
        private final long endNanos;

        Deadline(Duration timeout) {
            this.endNanos = System.nanoTime() + timeout.toNanos();
        }

        boolean expired() {
            return System.nanoTime() - endNanos >= 0;
        }
    }

    /** Says once that the cluster stopped answering during a wait, and that the wait goes on. */
    final class Transient {
        private boolean reported;

        void seen(RuntimeException e, Deadline deadline) {
            if (!reported && !deadline.expired()) {
                console.warn(e.getMessage() + "; retrying until the deadline");
                reported = true;
            }
        }

        void clear() {
            reported = false;
        }
    }
}
