package dev.cioforwarder.ops;

import dev.cioforwarder.ops.FlinkRestClient.JobDetails;
import dev.cioforwarder.ops.FlinkRestClient.ParallelismBounds;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * scripts/rescale.sh: another parallelism for the running forwarder, in place where the cluster's
 * scheduler can do that (the adaptive scheduler), else by stop-with-savepoint and a restart.
 */
@Command(
        name = "rescale",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis =
                "scripts/rescale.sh N [--job ID] [--dir PATH] [--flink URL] [--timeout SECONDS]",
        description = {
            "",
            "Changes the parallelism of the running forwarder to N. Where the cluster runs the"
                    + " adaptive scheduler (jobmanager.scheduler: adaptive) the running job is"
                    + " rescaled in place (PUT /jobs/<id>/resource-requirements: Flink restarts it"
                    + " from its latest checkpoint with N); otherwise it is stopped with a"
                    + " savepoint and the same jar is started with the same settings (as"
                    + " recorded) and parallelism N. Either way it is done only when the job runs"
                    + " with N and has completed a checkpoint after the restore, and rolled back"
                    + " otherwise. N can be anything up to the job's maximum parallelism (720,"
                    + " fixed); the cluster needs N task slots. Prints the job id on stdout.",
            ""
        },
        footer = {
            "",
            "Exit status as scripts/upgrade.sh: 0 done; 1 nothing changed; 2 rolled back to the old"
                    + " parallelism; 3 the rollback failed too, or a failure after the stop.",
            "Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR",
            "  SAVEPOINT_TIMEOUT [900]  OPS_SLOT_CHECK [true]"
        })
final class RescaleCommand extends OpsSubcommand {

    @Parameters(index = "0", paramLabel = "N", description = "the new parallelism")
    int parallelism;

    @Option(
            names = "--job",
            paramLabel = "ID",
            description = "the job (default: the one running job named $JOB_NAME)")
    String job;

    @Option(names = "--name", paramLabel = "NAME", description = "look for a job of this name")
    String name;

    @Option(
            names = "--dir",
            paramLabel = "PATH",
            description =
                    "savepoint directory, when rescaling by savepoint (default: the cluster's"
                            + " execution.checkpointing.savepoint-dir)")
    String dir;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "for the job to run with N and complete a checkpoint (default 300)")
    int timeoutSeconds = 300;

    @Override
    int execute() {
        Positive.require("N", parallelism);
        Positive.require("--timeout", timeoutSeconds);
        JobControl control = control();
        control.checkCluster();
        String jobId = control.resolveJob(job, env.jobName(name));
        String state = control.stateOf(jobId);
        if (!state.equals("RUNNING")) {
            throw OpsFailure.nothingChanged(
                    "job " + jobId + " is " + state + ": only a RUNNING job can be rescaled");
        }
        JobDetails details = control.details(jobId);
        int current = details.parallelism();
        if (current == parallelism) {
            console.info(
                    "Job "
                            + jobId
                            + " already runs with parallelism "
                            + parallelism
                            + "; nothing to do");
            console.result(jobId);
            return 0;
        }
        JobRecords records = control.records();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        InPlaceRescale inPlaceRescale = new InPlaceRescale(control);
        Optional<Map<String, ParallelismBounds>> inPlace = inPlaceRescale.supportedFor(jobId);
        if (inPlace.isPresent()) {
            int max =
                    records.exists(jobId)
                            ? records.settings(jobId).maxParallelism()
                            : details.maxParallelism();
            if (max > 0 && parallelism > max) {
                throw OpsFailure.nothingChanged(
                        "parallelism "
                                + parallelism
                                + " is above the job's maximum parallelism "
                                + max
                                + " (job.max-parallelism, fixed for the life of its state)");
            }
            control.requireSlots(parallelism);
            int exit = inPlaceRescale.rescale(jobId, inPlace.get(), current, parallelism, timeout);
            if (exit == 0) {
                records.read(jobId)
                        .ifPresent(
                                r ->
                                        records.writeJobProperties(
                                                r.withParallelism(
                                                        parallelism,
                                                        r.note()
                                                                + "; rescaled in place from "
                                                                + current
                                                                + " to "
                                                                + parallelism
                                                                + " at "
                                                                + JobRecords.now())));
                console.result(jobId);
            }
            return exit;
        }
        console.info(
                "Rescaling job "
                        + jobId
                        + " from parallelism "
                        + current
                        + " to "
                        + parallelism
                        + " by stop-with-savepoint and a restart on "
                        + control.flink().baseUrl());
        if (!records.exists(jobId)) {
            throw Redeployment.noRecord(jobId, records);
        }
        Redeployment.Outcome outcome =
                new Redeployment("rescale", control)
                        .replace(
                                jobId,
                                new Redeployment.Target(
                                        null,
                                        records.settings(jobId),
                                        parallelism,
                                        false,
                                        dir,
                                        timeout));
        if (outcome.exitCode() == 0) {
            console.info(
                    "Rescaled by savepoint: job "
                            + outcome.runningJob()
                            + " replaces job "
                            + jobId);
            console.result(outcome.runningJob());
        }
        return outcome.exitCode();
    }
}
