package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.FlinkRestClient.JobDetails;
import dev.cioforwarder.ops.FlinkRestClient.ParallelismBounds;
import dev.cioforwarder.ops.FlinkRestClient.Vertex;
import dev.cioforwarder.ops.JobControl.Deadline;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rescaling a running job without stopping it: on Flink 2.x the adaptive scheduler ({@code
 * jobmanager.scheduler: adaptive}) takes new parallelism bounds per vertex ({@code PUT
 * /jobs/<id>/resource-requirements}) and restarts the job itself from its latest checkpoint with
 * the new parallelism. The same rule as a rescale by savepoint applies: done only when every vertex
 * runs with the new parallelism and a checkpoint completed after that restore; otherwise the old
 * bounds are put back (exit 2), and if that does not bring the job back either, exit 3.
 */
public final class InPlaceRescale {

    private final JobControl control;

    public InPlaceRescale(JobControl control) {
        this.control = control;
    }

    /**
     * The job's parallelism bounds when its scheduler can change them while it runs; empty (with
     * Flink's reason printed) when it cannot, e.g. the default scheduler.
     */
    public Optional<Map<String, ParallelismBounds>> supportedFor(String jobId) {
        try {
            Map<String, ParallelismBounds> bounds = control.flink().resourceRequirements(jobId);
            return bounds.isEmpty() ? Optional.empty() : Optional.of(bounds);
        } catch (FlinkRestException e) {
            control.console()
                    .info(
                            "The cluster cannot rescale a running job (its scheduler is not the"
                                    + " adaptive one, jobmanager.scheduler: adaptive): "
                                    + e.innermostCause());
            return Optional.empty();
        }
    }

    /** Rescales; returns the exit status (0 done, 2 rolled back); throws for 1 and 3. */
    public int rescale(
            String jobId,
            Map<String, ParallelismBounds> before,
            int from,
            int to,
            Duration timeout) {
        Console console = control.console();
        console.info(
                "Rescaling job "
                        + jobId
                        + " in place from parallelism "
                        + from
                        + " to "
                        + to
                        + " (adaptive scheduler: PUT /jobs/"
                        + jobId
                        + "/resource-requirements)");
        Map<String, ParallelismBounds> wanted = new LinkedHashMap<>();
        before.forEach(
                (vertex, b) ->
                        wanted.put(
                                vertex,
                                new ParallelismBounds(
                                        Math.min(Math.max(1, b.lowerBound()), to), to)));
        Marker marker = marker(jobId);
        try {
            control.flink().changeResourceRequirements(jobId, wanted);
        } catch (FlinkRestException e) {
            throw OpsFailure.nothingChanged(
                    "Flink refused the new parallelism of job "
                            + jobId
                            + ": "
                            + e.innermostCause()
                            + "\nNothing changed: the job keeps running with parallelism "
                            + from
                            + ".");
        }
        String failure;
        try {
            CheckpointStats done = awaitRescaled(jobId, to, marker, timeout);
            console.info(
                    "Rescaled in place: job "
                            + jobId
                            + " runs with parallelism "
                            + to
                            + " (restored from "
                            + done.restoredPath()
                            + ", then completed checkpoint "
                            + done.latestCompletedId()
                            + ")");
            return 0;
        } catch (JobDidNotStart e) {
            failure = e.getMessage();
        }
        console.error("the rescale failed:");
        console.detail(failure);
        console.info("Rolling back: parallelism " + from + " again");
        Marker rollbackMarker = marker(jobId);
        try {
            control.flink().changeResourceRequirements(jobId, before);
            awaitRescaled(jobId, from, rollbackMarker, timeout);
        } catch (JobDidNotStart | FlinkRestException | FlinkUnreachableException e) {
            console.detail(e.getMessage());
            throw new OpsFailure(
                    OpsFailure.NOT_RUNNING,
                    "the rescale failed, and so did the rollback to parallelism "
                            + from
                            + ": job "
                            + jobId
                            + " may NOT be running.\n       Why:\n         "
                            + failure.lines().findFirst().orElse("")
                            + "\n"
                            + "       Its state is in its retained checkpoints. If it does not run,"
                            + " cancel it and resume it from its newest checkpoint:\n"
                            + "         scripts/resume.sh --job "
                            + jobId
                            + " --parallelism "
                            + from);
        }
        console.result(jobId);
        console.error(
                "the rescale failed and was rolled back: job "
                        + jobId
                        + " runs with parallelism "
                        + from
                        + " again.\n       Why the rescale failed:\n         "
                        + String.join("\n         ", failure.lines().limit(4).toList()));
        return OpsFailure.ROLLED_BACK;
    }

    /** Where the job stood before a change: the JobManager's clock and the last restore. */
    private record Marker(long jobManagerNow, long restoredAt) {}

    private Marker marker(String jobId) {
        JobDetails job = control.details(jobId);
        long restoredAt =
                control.checkpointsIfAnswered(jobId).map(CheckpointStats::restoredAt).orElse(-1L);
        return new Marker(job.now(), restoredAt);
    }

    /**
     * Waits until every vertex runs with {@code parallelism}, the job restored a checkpoint after
     * the change, and completed a checkpoint after that restore.
     */
    private CheckpointStats awaitRescaled(
            String jobId, int parallelism, Marker marker, Duration timeout) {
        Deadline deadline = new Deadline(timeout);
        JobControl.Transient unanswered = control.new Transient();
        String last = "";
        while (true) {
            try {
                JobDetails job = control.details(jobId);
                CheckpointStats checkpoints = control.flink().checkpoints(jobId);
                unanswered.clear();
                boolean allAtTarget = !job.vertices().isEmpty();
                for (Vertex v : job.vertices()) {
                    allAtTarget &= v.parallelism() == parallelism && v.status().equals("RUNNING");
                }
                boolean restored = checkpoints.restoredAt() > marker.restoredAt();
                // A checkpoint triggered after the restart the change caused; bounds the job
                // already runs with cause none, and then one after the change will do.
                long after = restored ? checkpoints.restoredAt() : marker.jobManagerNow();
                if (job.state().equals("RUNNING")
                        && allAtTarget
                        && checkpoints.latestCompletedTriggeredAt() > after) {
                    return checkpoints;
                }
                // Restarting is how the adaptive scheduler rescales: only an ended job or a new
                // failure means it did not work.
                String failure =
                        job.isTerminal()
                                ? control.failedEarly(jobId, job.state(), marker.jobManagerNow())
                                : control.failedEarly(jobId, "RUNNING", marker.jobManagerNow());
                if (failure != null) {
                    throw new JobDidNotStart(jobId, failure);
                }
                String now =
                        job.state()
                                + ", parallelism "
                                + job.parallelism()
                                + (restored ? ", restored from " + checkpoints.restoredPath() : "");
                if (!now.equals(last)) {
                    control.console().info("Job " + jobId + " is " + now);
                    last = now;
                }
                if (deadline.expired()) {
                    throw new JobDidNotStart(
                            jobId,
                            "job "
                                    + jobId
                                    + " did not run with parallelism "
                                    + parallelism
                                    + " and a checkpoint after its restore within "
                                    + timeout.toSeconds()
                                    + "s (it is "
                                    + now
                                    + "; are there enough free slots? GET "
                                    + control.flink().baseUrl()
                                    + "/overview)");
                }
            } catch (FlinkRestException | FlinkUnreachableException e) {
                unanswered.seen(e, deadline);
                if (deadline.expired()) {
                    throw new JobDidNotStart(
                            jobId,
                            "job "
                                    + jobId
                                    + " was not seen running with parallelism "
                                    + parallelism
                                    + " within "
                                    + timeout.toSeconds()
                                    + "s: "
                                    + e.getMessage());
                }
            }
            control.sleep();
        }
    }
}
