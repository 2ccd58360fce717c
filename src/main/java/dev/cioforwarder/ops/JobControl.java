package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.FlinkRestClient.ClusterConfig;
import dev.cioforwarder.ops.FlinkRestClient.JobDetails;
import dev.cioforwarder.ops.FlinkRestClient.JobFailure;
import dev.cioforwarder.ops.FlinkRestClient.JobSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One cluster and its jobs: find the job, check the cluster and its slots, read a job's state and
 * whether it is failing; and the polling every wait is made of. Polls retry a cluster that does not
 * answer (a JobManager restarting, a lost connection) until their deadline instead of giving up at
 * the first miss; calls that change something are made once. Starting a job is {@link JobStart}'s,
 * savepoints and cancels {@link JobEnd}'s.
 */
public final class JobControl {

    private static final Set<String> FAILING_STATES =
            Set.of("FAILING", "RESTARTING", "CANCELLING", "SUSPENDED");

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

    Duration savepointTimeout() {
        return savepointTimeout;
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
