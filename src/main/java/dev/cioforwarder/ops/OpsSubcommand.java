package dev.cioforwarder.ops;

import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * What every command shares: the cluster's address, the environment, and the translation of how an
 * operation ended into its exit status and one plain error message.
 */
abstract class OpsSubcommand implements Callable<Integer> {

    @ParentCommand OpsCommand ops;

    @Option(
            names = "--flink",
            paramLabel = "URL",
            description =
                    "the cluster's REST address (default: FLINK_URL, else"
                            + " http://127.0.0.1:$FLINK_REST_PORT, FLINK_REST_PORT 8081)")
    String flinkUrl;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "this help")
    boolean help;

    Console console;
    OpsEnvironment env;

    @Override
    public final Integer call() {
        console = ops.console();
        env = ops.environment();
        try {
            return execute();
        } catch (OpsFailure e) {
            console.error(e.getMessage());
            return e.exitCode();
        } catch (FlinkUnreachableException
                | FlinkRestException
                | IllegalArgumentException
                | UncheckedIOException e) {
            console.error(e.getMessage());
            return OpsFailure.NOTHING_CHANGED;
        }
    }

    /** Runs the command; returns its exit status or throws {@link OpsFailure}. */
    abstract int execute();

    /** The steps of the operations, on the cluster of --flink. */
    JobControl control() {
        return new JobControl(
                new FlinkRestClient(env.flinkUrl(flinkUrl), env.restTimeout()),
                console,
                new JobRecords(env.opsDir()),
                env.pollInterval(),
                env.savepointTimeout(),
                env.slotCheck());
    }
}
