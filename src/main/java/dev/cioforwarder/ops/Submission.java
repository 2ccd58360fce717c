package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.JobSummary;
import dev.cioforwarder.ops.JobRecords.JobRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starting the forwarder as a new job (scripts/submit.sh, resume.sh, run-local.sh): upload the jar,
 * run it with the settings as program arguments, wait until every task runs, and write the job's
 * record so that it can later be upgraded, rescaled and resumed.
 */
final class Submission {

    private Submission() {}

    /** Returns the new job's id; {@link OpsFailure} (exit 1) when nothing runs afterwards. */
    static String submit(
            JobControl control,
            Path jar,
            JobSettings settings,
            Integer parallelism,
            String savepoint,
            boolean allowNonRestoredState,
            Duration timeout,
            String note) {
        // Two forwarders of one name share a consumer group and dead-letter transactional ids:
        // they would fight over both. The successor of a running job is started by upgrade.sh.
        String name = settings.jobName();
        List<JobSummary> existing = control.activeJobs(name);
        if (!existing.isEmpty()) {
            List<String> listed = new ArrayList<>();
            existing.forEach(j -> listed.add(j.id() + " (" + j.state() + ")"));
            throw OpsFailure.nothingChanged(
                    "a job named \""
                            + name
                            + "\" is already running on "
                            + control.flink().baseUrl()
                            + ": "
                            + String.join(", ", listed)
                            + ".\nUpgrade it with scripts/upgrade.sh, rescale it with"
                            + " scripts/rescale.sh, or stop it first with scripts/savepoint.sh"
                            + " --stop.");
        }
        JobRecords records = control.records();
        Path copy = records.keepJarCopy(jar);
        JobStart starting = new JobStart(control);
        String jarId = starting.upload(jar);
        String jobId;
        try {
            jobId = starting.start(jarId, settings, parallelism, savepoint, allowNonRestoredState);
        } catch (JobDidNotStart e) {
            throw OpsFailure.nothingChanged(e.getMessage());
        }
        JobRecord record =
                new JobRecord(
                        jobId,
                        name,
                        control.flink().baseUrl(),
                        copy,
                        jarId,
                        parallelism,
                        savepoint,
                        allowNonRestoredState,
                        null,
                        note,
                        null);
        records.write(record, settings);
        try {
            starting.awaitRunning(jobId, timeout);
        } catch (JobDidNotStart e) {
            control.console().detail(e.getMessage());
            // Left alone it would restart for ever and block the next submit of this name.
            new JobEnd(control).cancelAndAwait(jobId);
            throw OpsFailure.nothingChanged(
                    "job "
                            + jobId
                            + " did not start and was cancelled; read the JobManager's and"
                            + " TaskManagers' logs (locally: scripts/stack.sh logs)");
        }
        int running = parallelism != null ? parallelism : control.details(jobId).parallelism();
        if (parallelism == null) {
            records.writeJobProperties(record.withParallelism(running, note));
        }
        control.console()
                .info(
                        "Job "
                                + jobId
                                + " runs with parallelism "
                                + running
                                + "; settings recorded in "
                                + records.dir(jobId));
        control.console().info("Web UI: " + control.flink().uiLink(jobId));
        return jobId;
    }
}
