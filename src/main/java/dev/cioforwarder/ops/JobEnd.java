package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.SavepointStatus;
import dev.cioforwarder.ops.JobControl.Deadline;
import dev.cioforwarder.ops.JobControl.Transient;
import java.time.Duration;

/**
 * Ending a job on the cluster of a {@link JobControl}: a savepoint (which stops it, with stop) and
 * a cancel, each waited for until the job has ended.
 */
public final class JobEnd {

    private static final Duration CANCEL_TIMEOUT = Duration.ofMinutes(2);

    private final JobControl control;
    private final FlinkRestClient flink;
    private final Console console;
    private final JobRecords records;

    public JobEnd(JobControl control) {
        this.control = control;
        this.flink = control.flink();
        this.console = control.console();
        this.records = control.records();
    }

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
            control.sleep();
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
        Deadline deadline = new Deadline(control.savepointTimeout());
        Deadline nextNote = new Deadline(Duration.ofSeconds(15));
        long started = System.nanoTime();
        Transient unanswered = control.new Transient();
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
                                + control.savepointTimeout().toSeconds()
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
            control.sleep();
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
                        + control.stateOf(jobId));
    }

    /** After a stop-with-savepoint: the job's end, or its state when it does not end in time. */
    private String awaitEnded(String jobId) {
        Deadline deadline = new Deadline(CANCEL_TIMEOUT);
        String state = "UNKNOWN";
        while (!deadline.expired()) {
            state = control.stateOf(jobId);
            if (FlinkRestClient.TERMINAL_STATES.contains(state)) {
                return state;
            }
            control.sleep();
        }
        console.warn("the savepoint is complete but job " + jobId + " is still " + state);
        return state;
    }
}
