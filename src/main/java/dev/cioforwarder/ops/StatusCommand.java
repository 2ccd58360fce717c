package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.CheckpointStats;
import dev.cioforwarder.ops.FlinkRestClient.ClusterConfig;
import dev.cioforwarder.ops.FlinkRestClient.ClusterOverview;
import dev.cioforwarder.ops.FlinkRestClient.JobDetails;
import dev.cioforwarder.ops.FlinkRestClient.JobFailure;
import dev.cioforwarder.ops.FlinkRestClient.JobSummary;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What runs: the cluster (version, TaskManagers, slots, whether it can rescale a running job), and
 * the forwarder's job (state, parallelism, checkpoints, newest failure, its record, and with
 * --metrics the job's own counters). Printed on stdout: it is the command's result.
 */
@Command(
        name = "status",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis =
                "status [--job ID | --name NAME] [--metrics] [--cluster-only] [--flink URL]",
        description = {
            "",
            "Prints the cluster's and the forwarder job's state. Exit status 1 when the cluster"
                    + " does not answer or there is no such job.",
            ""
        })
final class StatusCommand extends OpsSubcommand {

    @Option(names = "--job", paramLabel = "ID", description = "the job (default: by name)")
    String job;

    @Option(names = "--name", paramLabel = "NAME", description = "the job's name ($JOB_NAME)")
    String name;

    @Option(
            names = "--metrics",
            description = "also the job's own metrics (group forwarder), summed over its instances")
    boolean metrics;

    @Option(names = "--cluster-only", description = "only the cluster's line")
    boolean clusterOnly;

    @Override
    int execute() {
        JobControl control = control();
        FlinkRestClient flink = control.flink();
        ClusterConfig config = control.checkCluster();
        ClusterOverview overview = flink.overview();
        long running = flink.jobs().stream().filter(j -> !j.isTerminal()).count();
        console.result(
                String.format(
                        Locale.ROOT,
                        "Flink %s at %s: TaskManagers %d, slots %d (available %d), jobs running %d;"
                                + " rescale of a running job: %s",
                        config.flinkVersion(),
                        flink.baseUrl(),
                        overview.taskManagers(),
                        overview.slotsTotal(),
                        overview.slotsAvailable(),
                        running,
                        config.webRescale()
                                ? "in place (adaptive scheduler)"
                                : "by savepoint (jobmanager.scheduler is not adaptive)"));
        if (clusterOnly) {
            return 0;
        }
        String jobId = job;
        if (jobId == null) {
            String jobName = env.jobName(name);
            List<JobSummary> active = control.activeJobs(jobName);
            if (active.size() != 1) {
                console.result(
                        active.isEmpty()
                                ? "No running job named \"" + jobName + "\"."
                                : active.size()
                                        + " jobs named \""
                                        + jobName
                                        + "\" run: say which with --job ID.");
                return OpsFailure.NOTHING_CHANGED;
            }
            jobId = active.get(0).id();
        }
        JobDetails details;
        try {
            details = flink.job(jobId);
        } catch (FlinkRestException e) {
            console.result("Job " + jobId + ": " + e.getMessage());
            return OpsFailure.NOTHING_CHANGED;
        }
        console.result(
                "Job "
                        + jobId
                        + " \""
                        + details.name()
                        + "\": "
                        + details.state()
                        + ", parallelism "
                        + details.parallelism()
                        + ", max parallelism "
                        + details.maxParallelism());
        console.result("  web UI: " + flink.uiLink(jobId));
        CheckpointStats checkpoints = flink.checkpoints(jobId);
        console.result(
                "  checkpoints completed: "
                        + checkpoints.completed()
                        + (checkpoints.hasCompleted()
                                ? ", newest " + checkpoints.latestCompletedPath()
                                : "")
                        + (checkpoints.restoredPath() != null
                                ? "; restored from " + checkpoints.restoredPath()
                                : ""));
        JobFailure failure = flink.newestFailure(jobId);
        if (failure != null) {
            console.result("  newest failure: " + FlinkErrors.innermostCause(failure.trace()));
            for (String line : FlinkErrors.exceptionLines(failure.trace(), 10)) {
                console.result("    " + line);
            }
        }
        JobRecords records = control.records();
        console.result(
                records.exists(jobId)
                        ? "  record: "
                                + records.dir(jobId)
                                + " (upgrade.sh, rescale.sh and resume.sh can restart it)"
                        : "  record: none under "
                                + records.opsDir().resolve("jobs")
                                + " (it was not started by this tool)");
        if (metrics) {
            Map<String, Double> sums = flink.forwarderMetrics(jobId);
            console.result("  Job metrics (sum over parallel instances)");
            sums.forEach(
                    (metric, value) ->
                            console.result(
                                    String.format(
                                            Locale.ROOT,
                                            "    %-32s %s",
                                            metric,
                                            value == Math.rint(value)
                                                    ? Long.toString(value.longValue())
                                                    : Double.toString(value))));
        }
        return 0;
    }
}
