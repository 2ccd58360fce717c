package dev.cioforwarder.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** scripts/submit.sh: starts the forwarder and records how, for later upgrades and rescales. */
@Command(
        name = "submit",
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        customSynopsis = {
            "scripts/submit.sh [--settings FILE] [--set key=value ...] [--savepoint PATH]",
            "                  [--allow-non-restored-state] [--parallelism N] [--jar JAR] [--flink"
                    + " URL]"
        },
        description = {
            "",
            "Uploads the job jar to a Flink cluster, starts it (POST /jars/<id>/run) and waits"
                + " until all its tasks run. Prints the job id on stdout; progress and the web UI"
                + " link go to stderr.",
            ""
        },
        footer = {
            "",
            "The Customer.io API key is never a setting: it is read on the TaskManagers from"
                    + " CUSTOMERIO_API_KEY (or customerio.api-key-env / customerio.api-key-file)."
                    + " Secret-looking settings are refused.",
            "The settings and jar are recorded in $CIO_OPS_DIR/jobs/<job id>/ (default <state"
                    + " dir>/ops; state dir: CIO_STATE_DIR, default <repo>/.local-stack).",
            "Environment: FLINK_REST_PORT [8081]  FLINK_URL  CIO_STATE_DIR  CIO_OPS_DIR  MVN [mvn]"
        })
final class SubmitCommand extends OpsSubcommand {

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description =
                    "job settings as a properties file (key=value), read HERE and passed as program"
                            + " arguments (the job's own --settings would be read on the"
                            + " JobManager)")
    List<Path> settingsFiles = new ArrayList<>();

    @Option(
            names = "--set",
            paramLabel = "key=value",
            description = "one setting; wins over the file; repeatable (see the README's Settings)")
    List<String> sets = new ArrayList<>();

    @Option(
            names = "--savepoint",
            paramLabel = "PATH",
            description = "start from this savepoint (or retained checkpoint)")
    String savepoint;

    @Option(
            names = "--allow-non-restored-state",
            description =
                    "start even if the savepoint holds state of an operator the job no longer has"
                            + " (that state is dropped): only when you know which operator that is")
    boolean allowNonRestoredState;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "parallel instances (default: the cluster's parallelism.default)")
    Integer parallelism;

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description =
                    "the job jar (default: target/mparticle-customerio-flink-*.jar, built with"
                            + " Maven when missing or older than the sources)")
    Path jar;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "how long to wait for the job to run (default 300)")
    int timeoutSeconds = 300;

    /** What the record says of where the job came from (run-local.sh, resume.sh say more). */
    @Option(names = "--note", hidden = true)
    String note;

    @Override
    int execute() {
        JobSettings settings = new JobSettings();
        settingsFiles.forEach(settings::load);
        sets.forEach(settings::set);
        Positive.require("--parallelism", parallelism);
        Positive.require("--timeout", timeoutSeconds);
        if (allowNonRestoredState && savepoint == null) {
            throw OpsFailure.nothingChanged(
                    "--allow-non-restored-state only makes sense with --savepoint");
        }
        Path jobJar = (jar != null ? jar : env.defaultJobJar()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jobJar)) {
            throw OpsFailure.nothingChanged("jar " + jobJar + " does not exist");
        }
        JobControl control = control();
        String version = control.checkCluster().flinkVersion();
        console.info("Flink " + version + " at " + control.flink().baseUrl());
        String jobId =
                Submission.submit(
                        control,
                        jobJar,
                        settings,
                        parallelism,
                        savepoint,
                        allowNonRestoredState,
                        Duration.ofSeconds(timeoutSeconds),
                        note != null ? note : "submitted from " + jobJar);
        console.result(jobId);
        return 0;
    }
}
