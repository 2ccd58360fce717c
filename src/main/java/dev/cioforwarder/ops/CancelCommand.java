package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.JobSummary;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Cancels the forwarder (every running job of its name, or the one given) and waits until it has
 * ended. Its retained checkpoints stay (RETAIN_ON_CANCELLATION). scripts/run-local.sh uses it to
 * start over; a stop that keeps the state for a restart is scripts/savepoint.sh --stop.
 */
@Command(
        name = "cancel",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis = "cancel [--job ID | --name NAME] [--flink URL]",
        description = {
            "",
            "Cancels every running job named $JOB_NAME (or the one given) and prints the ids of the"
                    + " jobs cancelled.",
            ""
        })
final class CancelCommand extends OpsSubcommand {

    @Option(names = "--job", paramLabel = "ID", description = "the job (default: by name)")
    String job;

    @Option(names = "--name", paramLabel = "NAME", description = "the job's name ($JOB_NAME)")
    String name;

    @Override
    int execute() {
        JobControl control = control();
        control.checkCluster();
        List<String> jobs =
                job != null
                        ? List.of(control.resolveJob(job, null))
                        : control.activeJobs(env.jobName(name)).stream()
                                .map(JobSummary::id)
                                .toList();
        if (jobs.isEmpty()) {
            console.info("No running job named \"" + env.jobName(name) + "\"");
            return 0;
        }
        JobEnd ending = new JobEnd(control);
        for (String id : jobs) {
            if (!ending.cancelAndAwait(id)) {
                throw OpsFailure.nothingChanged(
                        "job " + id + " did not end within 120 s of the cancel");
            }
            console.result(id);
        }
        return 0;
    }
}
