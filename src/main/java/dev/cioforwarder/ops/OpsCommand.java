package dev.cioforwarder.ops;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The operations tool: submit, savepoint, upgrade (with rollback), rescale, resume and status of
 * the forwarder on any Flink 2.2 cluster, through Flink's REST API. {@code scripts/submit.sh},
 * {@code savepoint.sh}, {@code upgrade.sh}, {@code rescale.sh} and {@code resume.sh} run it from
 * the job jar ({@code java -cp <job jar> dev.cioforwarder.ops.OpsCommand <command> ...}); test code
 * calls {@link #run} in-process.
 *
 * <p>Exit status: 0 done; 1 nothing changed (also for a usage error); 2 rolled back; 3 the old job
 * was stopped and nothing of ours may run (the message says how to start it).
 */
@Command(
        name = "ops",
        description = "Operations on the forwarder's Flink job, through Flink's REST API.",
        mixinStandardHelpOptions = true,
        exitCodeOnInvalidInput = OpsFailure.NOTHING_CHANGED,
        exitCodeOnExecutionException = OpsFailure.NOTHING_CHANGED,
        subcommands = {
            SubmitCommand.class,
            SavepointCommand.class,
            UpgradeCommand.class,
            RescaleCommand.class,
            ResumeCommand.class,
            StatusCommand.class,
            CancelCommand.class,
            AwaitTaskManagersCommand.class
        })
public final class OpsCommand implements Runnable {

    private OpsEnvironment environment;
    private Console console;

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err));
    }

    /** Runs one command with the given environment; returns its exit status. */
    public static int run(
            String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        OpsCommand ops = new OpsCommand();
        ops.environment = new OpsEnvironment(env);
        ops.console = new Console(out, err);
        CommandLine commandLine = new CommandLine(ops);
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        commandLine.setParameterExceptionHandler(
                (e, given) -> {
                    ops.console.error(e.getMessage() + " (see --help)");
                    return OpsFailure.NOTHING_CHANGED;
                });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                new CommandLine(this),
                "a command is missing: submit, savepoint, upgrade, rescale, resume, status,"
                        + " cancel");
    }

    OpsEnvironment environment() {
        return environment;
    }

    Console console() {
        return console;
    }
}
