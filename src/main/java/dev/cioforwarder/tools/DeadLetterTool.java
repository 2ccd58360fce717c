package dev.cioforwarder.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * Reads the dead-letter topic and replays chosen records into the input topic after a fix: the
 * command line of {@code scripts/dead-letters.sh}. The Kafka work is {@link DeadLetterTopic} (what
 * is read), {@link DeadLetterListing} (list, purge) and {@link DeadLetterReplay}.
 *
 * <pre>
 * scripts/dead-letters.sh list   [--reason R] [--stage S] [--mpid M] [--contains TEXT] [--max N] [--payload]
 * scripts/dead-letters.sh replay [--reason R] [--stage S] [--mpid M] [--offsets P:O,P:O] [--to TOPIC] [--dry-run]
 * scripts/dead-letters.sh purge  --mpid M [--contains TEXT]
 *   every command: the filters --reason --stage --mpid --contains --offsets --max, and
 *   --bootstrap-servers HOST:PORT  --topic DLQ_TOPIC  --command-config FILE (Kafka client
 *   properties, e.g. SASL/SSL)
 * </pre>
 *
 * Replay sends the original mParticle batch again; re-forwarding a batch's other events is
 * harmless, since Customer.io drops repeated event ids and identify is idempotent.
 *
 * <p>{@code --mpid} and {@code --contains} find what the dead letters hold about one person (for an
 * erasure: Kafka cannot delete single records, see the Erasure section of docs/mapping.md).
 *
 * <p>Exit status: 0 done; 1 a replayed record was missing, or Kafka failed (the message says why);
 * 2 a usage error.
 */
@Command(
        name = "dead-letters",
        customSynopsis =
                "scripts/dead-letters.sh list|replay|purge [OPTIONS] (--help: a command's)",
        description = "Reads the dead-letter topic; replays chosen records after a fix.",
        subcommands = {
            DeadLetterTool.ListCommand.class,
            DeadLetterTool.ReplayCommand.class,
            DeadLetterTool.PurgeCommand.class
        })
public final class DeadLetterTool {

    static final int USAGE_ERROR = 2;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            scope = ScopeType.INHERIT,
            description = "the Kafka cluster (default: ${DEFAULT-VALUE})")
    String bootstrapServers = "127.0.0.1:9092";

    @Option(
            names = "--topic",
            paramLabel = "DLQ_TOPIC",
            scope = ScopeType.INHERIT,
            description = "the dead-letter topic (default: ${DEFAULT-VALUE})")
    String topic = "mparticle-batches.customerio-dlq";

    @Option(
            names = "--command-config",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "Kafka client properties, e.g. for SASL/SSL")
    Path commandConfig;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            scope = ScopeType.INHERIT,
            description = "this help")
    boolean help;

    private DeadLetterTool() {}

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = run(args, System.out);
        } catch (org.apache.kafka.common.KafkaException | IllegalArgumentException e) {
            // An unreachable broker or a missing topic: say so, without a stack trace.
            System.err.println("dead-letters: " + e.getMessage());
            code = 1;
        }
        System.exit(code);
    }

    static int run(String[] args, PrintStream out) throws IOException {
        return run(args, out, System.err);
    }

    /** Runs one command; returns its exit status (usage errors are told on {@code err}). */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        CommandLine commandLine = commandLine();
        Subcommand command;
        try {
            command = parse(commandLine, args);
        } catch (ParameterException e) {
            err.println("dead-letters: " + e.getMessage());
            err.println("usage: " + e.getCommandLine().getHelp().synopsis(0).strip());
            return USAGE_ERROR;
        }
        if (command == null) {
            usageAsked(commandLine).usage(out);
            return 0;
        }
        return command.run(out);
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new DeadLetterTool());
        // Each synopsis on one line, as the script's header writes it.
        commandLine.setUsageHelpWidth(140);
        // A later --topic (or any option) wins over an earlier one, as the script relies on.
        commandLine.setOverwrittenOptionsAllowed(true);
        return commandLine;
    }

    /**
     * The command the arguments name, its options set; {@code null} when help was asked for.
     *
     * @throws ParameterException on a usage error
     */
    static Subcommand parse(CommandLine commandLine, String... args) {
        CommandLine.ParseResult parsed = commandLine.parseArgs(args);
        if (usageAsked(commandLine) != null) {
            return null;
        }
        if (!parsed.hasSubcommand()) {
            throw new ParameterException(
                    commandLine, "a command is missing: list, replay or purge");
        }
        return (Subcommand) parsed.subcommand().commandSpec().userObject();
    }

    /** The command whose --help was given, or {@code null}. */
    private static CommandLine usageAsked(CommandLine commandLine) {
        for (CommandLine c = commandLine; c != null; ) {
            if (c.isUsageHelpRequested()) {
                return c;
            }
            CommandLine.ParseResult sub = c.getParseResult().subcommand();
            c = sub == null ? null : sub.commandSpec().commandLine();
        }
        return null;
    }

    /** What every command takes: which dead letters, and where they are. */
    abstract static class Subcommand {

        @ParentCommand DeadLetterTool tool;

        @Option(names = "--reason", paramLabel = "R", description = "only this reason")
        String reason;

        @Option(
                names = "--stage",
                paramLabel = "S",
                description = "only this stage: parse, mapping or delivery")
        String stage;

        @Option(names = "--mpid", paramLabel = "M", description = "only this MPID")
        String mpid;

        @Option(
                names = "--contains",
                paramLabel = "TEXT",
                description = "only letters that mention TEXT anywhere, in any case")
        String contains;

        @Option(
                names = "--offsets",
                paramLabel = "P:O",
                split = ",",
                description = "only these positions in the dead-letter topic")
        List<String> offsets = new ArrayList<>();

        @Option(names = "--max", paramLabel = "N", description = "at most N letters")
        int max = Integer.MAX_VALUE;

        DeadLetterFilter filter() {
            Set<String> positions = new LinkedHashSet<>();
            offsets.forEach(o -> positions.add(o.trim()));
            return new DeadLetterFilter(reason, stage, mpid, contains, positions, max);
        }

        DeadLetterTopic topic() {
            return new DeadLetterTopic(tool.bootstrapServers, tool.commandConfig, tool.topic);
        }

        abstract int run(PrintStream out) throws IOException;
    }

    @Command(
            name = "list",
            customSynopsis =
                    "scripts/dead-letters.sh list [--reason R] [--stage S] [--mpid M]"
                            + " [--contains TEXT] [--offsets P:O,..] [--max N] [--payload]",
            description = "Lists the committed dead letters that match.")
    static final class ListCommand extends Subcommand {

        @Option(names = "--payload", description = "print each letter's payload too")
        boolean payload;

        @Override
        int run(PrintStream out) throws IOException {
            return new DeadLetterListing(out).list(topic().read(filter()), payload);
        }
    }

    @Command(
            name = "replay",
            customSynopsis =
                    "scripts/dead-letters.sh replay [--reason R] [--stage S] [--mpid M]"
                            + " [--contains TEXT] [--offsets P:O,..] [--max N] [--to TOPIC]"
                            + " [--dry-run]",
            description = "Sends the original batches of the dead letters that match again.")
    static final class ReplayCommand extends Subcommand {

        @Option(
                names = "--to",
                paramLabel = "TOPIC",
                description = "where to send them (default: each batch's source topic)")
        String to;

        @Option(names = "--dry-run", description = "only say what would be sent")
        boolean dryRun;

        @Override
        int run(PrintStream out) throws IOException {
            DeadLetterTopic topic = topic();
            return new DeadLetterReplay(topic, out).replay(topic.read(filter()), to, dryRun);
        }
    }

    @Command(
            name = "purge",
            customSynopsis =
                    "scripts/dead-letters.sh purge --mpid M|--contains TEXT [--reason R]"
                            + " [--stage S] [--offsets P:O,..] [--max N]",
            description =
                    "For an erasure: names the dead letters that hold one person's data and how"
                            + " to remove them. Changes nothing.")
    static final class PurgeCommand extends Subcommand {

        @Override
        int run(PrintStream out) throws IOException {
            if (mpid == null && contains == null) {
                out.println(
                        "dead-letters purge: name the person with --mpid ID (and/or --contains"
                                + " TEXT, e.g. their email, for dead letters that know no MPID)");
                return USAGE_ERROR;
            }
            DeadLetterTopic topic = topic();
            return new DeadLetterListing(out).purge(topic.read(filter()), topic.name(), mpid);
        }
    }
}
