package dev.cioforwarder.ops;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** scripts/savepoint.sh: a savepoint of the running forwarder, or a stop with one. */
@Command(
        name = "savepoint",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis = "scripts/savepoint.sh [--stop] [--job ID] [--dir PATH] [--flink URL]",
        description = {
            "",
            "Triggers a savepoint of the forwarder and prints its path on stdout once it is"
                    + " complete.",
            ""
        },
        footer = {
            "",
            "Savepoints are in Flink's canonical format. SAVEPOINT_TIMEOUT [900] bounds the wait in"
                    + " seconds.",
            "Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR"
        })
final class SavepointCommand extends OpsSubcommand {

    @Option(
            names = "--stop",
            description =
                    "stop the job with the savepoint (the job ends FINISHED; nothing is processed"
                            + " after the savepoint, so the job can be restarted from it without a"
                            + " gap)")
    boolean stop;

    @Option(
            names = "--job",
            paramLabel = "ID",
            description = "the job (default: the one running job named $JOB_NAME)")
    String job;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "look for a job of this name instead (its job.name setting)")
    String name;

    @Option(
            names = "--dir",
            paramLabel = "PATH",
            description =
                    "where to write it (default: the cluster's"
                        + " execution.checkpointing.savepoint-dir); a durable shared file system in"
                        + " production (s3://, gs://, hdfs://)")
    String dir;

    @Override
    int execute() {
        JobControl control = control();
        control.checkCluster();
        String jobId = control.resolveJob(job, env.jobName(name));
        String state = control.stateOf(jobId);
        if (!state.equals("RUNNING")) {
            throw OpsFailure.nothingChanged(
                    "job " + jobId + " is " + state + ": only a RUNNING job can take a savepoint");
        }
        console.result(new JobEnd(control).takeSavepoint(jobId, stop, dir));
        return 0;
    }
}
