package dev.cioforwarder.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** scripts/upgrade.sh: the running forwarder to a new jar, rolled back when that does not work. */
@Command(
        name = "upgrade",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis = {
            "scripts/upgrade.sh NEW_JAR [--settings FILE] [--set key=value ...] [--parallelism N]",
            "                   [--allow-non-restored-state] [--job ID] [--dir PATH] [--flink URL]"
        },
        description = {
            "",
            "Stops the running forwarder with a savepoint, starts NEW_JAR from it and waits until"
                    + " the new job runs and has completed a checkpoint; otherwise rolls back to"
                    + " the previous jar. Prints the id of the job that runs afterwards on stdout.",
            ""
        },
        footer = {
            "",
            "Exit status: 0 upgraded; 1 nothing changed (the old job still runs); 2 the new job"
                    + " failed and the previous version runs again (rolled back); 3 the new job"
                    + " failed and so did the rollback, or something failed unexpectedly after the"
                    + " old job was stopped: the forwarder may not be running (its state is in the"
                    + " savepoint; the message says how to start it).",
            "Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR",
            "  SAVEPOINT_TIMEOUT [900]  OPS_SLOT_CHECK [true]"
        })
final class UpgradeCommand extends OpsSubcommand {

    @Parameters(index = "0", paramLabel = "NEW_JAR", description = "the new job jar")
    Path newJar;

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description =
                    "the new job's settings (default: the ones the old job was started with,"
                            + " recorded in $CIO_OPS_DIR/jobs/<job id>/)")
    Path settingsFile;

    @Option(
            names = "--set",
            paramLabel = "key=value",
            description = "change one setting (on top of the above); repeatable")
    List<String> sets = new ArrayList<>();

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "default: the parallelism the old job runs with")
    Integer parallelism;

    @Option(
            names = "--allow-non-restored-state",
            description =
                    "start although the savepoint holds state of an operator the new jar no longer"
                            + " has (that state is DROPPED): only when you removed that operator")
    boolean allowNonRestoredState;

    @Option(
            names = "--job",
            paramLabel = "ID",
            description = "the job to upgrade (default: the one running job named $JOB_NAME)")
    String job;

    @Option(names = "--name", paramLabel = "NAME", description = "look for a job of this name")
    String name;

    @Option(
            names = "--dir",
            paramLabel = "PATH",
            description =
                    "savepoint directory (default: the cluster's"
                            + " execution.checkpointing.savepoint-dir)")
    String dir;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "for the new job to run and complete a checkpoint (default 300)")
    int timeoutSeconds = 300;

    @Override
    int execute() {
        Positive.require("--parallelism", parallelism);
        Positive.require("--timeout", timeoutSeconds);
        Path jar = newJar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw OpsFailure.nothingChanged("jar " + newJar + " does not exist or cannot be read");
        }
        JobControl control = control();
        control.checkCluster();
        String old = control.resolveJob(job, env.jobName(name));
        String state = control.stateOf(old);
        if (!state.equals("RUNNING")) {
            throw OpsFailure.nothingChanged(
                    "job "
                            + old
                            + " is "
                            + state
                            + ": only a RUNNING job can be upgraded (it needs a savepoint)");
        }
        if (!control.records().exists(old)) {
            throw Redeployment.noRecord(old, control.records());
        }
        JobSettings settings;
        if (settingsFile != null) {
            settings = new JobSettings().load(settingsFile);
            console.info("Settings: " + settingsFile);
        } else {
            settings = control.records().settings(old);
            console.info(
                    "Settings: the ones job "
                            + old
                            + " was started with ("
                            + control.records().settingsFile(old)
                            + ")");
        }
        sets.forEach(settings::set);
        console.info(
                "Upgrading job "
                        + old
                        + " to "
                        + jar.getFileName()
                        + " on "
                        + control.flink().baseUrl());
        Redeployment.Outcome outcome =
                new Redeployment("upgrade", control)
                        .replace(
                                old,
                                new Redeployment.Target(
                                        jar,
                                        settings,
                                        parallelism,
                                        allowNonRestoredState,
                                        dir,
                                        Duration.ofSeconds(timeoutSeconds)));
        if (outcome.exitCode() == 0) {
            console.result(outcome.runningJob());
        }
        return outcome.exitCode();
    }
}
