package dev.cioforwarder.preview;

import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.settings.ForwarderSettings;
import dev.cioforwarder.settings.PropertiesFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * "What will Customer.io receive for this data?" Runs batches through the job's own parser, rules
 * and state machine, with in-memory state ({@link Preview}), and prints one JSON object per line
 * ({@link PreviewOutput}): the requests that would be sent, what was skipped and why, and what
 * would go to the dead-letter topic. Needs no Kafka, no cluster and no credentials.
 *
 * <pre>
 * scripts/preview.sh [--settings FILE] [--set key=value ...] [FILE ...]
 * </pre>
 *
 * Each file holds one JSON document, or one document per line; with no file, standard input is read
 * the same way. A document with a {@code request_id} (or {@code subject_request_id}) is an erasure
 * request, as the erasure topic carries, applied to the state the batches before it built.
 */
@Command(
        name = "preview",
        customSynopsis = "scripts/preview.sh [--settings FILE] [--set key=value ...] [FILE ...]",
        description = "What Customer.io would receive for these mParticle batches.")
public final class PreviewCommand {

    /** The settings given, in the order given: a later --set or --settings wins. */
    private final Map<String, String> given = new LinkedHashMap<>();

    @Parameters(paramLabel = "FILE", description = "Batches: one JSON document, or one per line.")
    private List<Path> files = new ArrayList<>();

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Shows this help.")
    private boolean help;

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description = "A properties file of the job's settings.")
    void settingsFile(Path file) {
        try {
            given.putAll(readSettings(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Option(names = "--set", paramLabel = "key=value", description = "One setting.")
    void set(String pair) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set takes key=value, got " + pair);
        }
        given.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }

    private PreviewCommand() {}

    public static void main(String[] args) {
        PrintStream stdout = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try {
            System.exit(run(args, System.in, stdout));
        } finally {
            stdout.flush();
        }
    }

    /** Runs the command; returns the exit code (0 ok, 2 usage or settings error). */
    static int run(String[] args, InputStream stdin, PrintStream stdout) {
        PreviewCommand command = new PreviewCommand();
        CommandLine commandLine = new CommandLine(command);
        // --set and --settings may each come many times; each is applied in turn.
        commandLine.setOverwrittenOptionsAllowed(true);
        try {
            commandLine.parseArgs(args);
            if (commandLine.isUsageHelpRequested()) {
                commandLine.usage(stdout);
                return 0;
            }
            return command.preview(stdin, stdout);
        } catch (CommandLine.PicocliException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return usageError(cause instanceof UncheckedIOException u ? u.getCause() : cause);
        } catch (IllegalArgumentException | IOException e) {
            return usageError(e);
        } catch (UncheckedIOException e) {
            return usageError(e.getCause());
        }
    }

    private static int usageError(Throwable e) {
        System.err.println("preview: " + e.getMessage());
        return 2;
    }

    private int preview(InputStream stdin, PrintStream stdout) throws IOException {
        MappingSettings settings = ForwarderSettings.mappingSettings(given);
        PreviewOutput out = new PreviewOutput(stdout);
        Preview preview = new Preview(settings, ForwarderSettings.maxRecordBytes(given), out);
        if (files.isEmpty()) {
            preview.previewDocuments(stdin.readAllBytes());
        } else {
            for (Path file : files) {
                preview.previewDocuments(Files.readAllBytes(file));
            }
        }
        out.flush();
        return 0;
    }

    private static Map<String, String> readSettings(Path file) throws IOException {
        return PropertiesFile.read(file);
    }
}
