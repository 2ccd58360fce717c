package dev.cioforwarder.chaos;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The suite's figures as a Markdown table (result.md, also printed) and as JSON (result.json). */
final class ChaosReport {

    /** The long outage's plot, beside result.json. */
    static final String CHECKPOINT_AGE_PLOT = "customerio-outage-checkpoint-age.png";

    private ChaosReport() {}

    static String table(List<ScenarioResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| fault | events sent | delivered | duplicates on the wire | duplicates in store"
                        + " | lost | recovery time |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (ScenarioResult r : results) {
            sb.append(
                    String.format(
                            "| %s%s | %,d | %,d | %,d | %,d | %,d | %s |%n",
                            r.fault,
                            r.passed() ? "" : " **FAILED**",
                            r.eventsSent,
                            r.delivered,
                            r.duplicatesOnTheWire,
                            r.duplicatesInStore,
                            r.lost,
                            r.recoveryText()));
        }
        return sb.toString();
    }

    static String markdown(
            List<ScenarioResult> results, String command, Spans spans, String settings) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Reliability under faults\n\n");
        sb.append("Run ")
                .append(
                        ZonedDateTime.now()
                                .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")))
                .append(" with `")
                .append(command)
                .append("` on ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores.\n\n");
        sb.append("Spans: ").append(spans.describe()).append(".\n\n");
        sb.append(table(results)).append('\n');
        sb.append(
                "Recovery time: from the fault's end (for crashes, from the kill) until Customer.io"
                        + " accepts requests again (resumed) and until every produced event is in"
                        + " its store (drained); for checkpoint-storage also until a checkpoint"
                        + " completes again. Duplicates on the wire: events Customer.io received"
                        + " again under an id it already had, and dropped. Duplicates in store:"
                        + " an event stored twice under two ids (must be 0).\n\n");
        long failed = results.stream().filter(r -> !r.passed()).count();
        if (failed == 0) {
            sb.append(
                    "All checks passed in every scenario: every produced event exactly once in the"
                            + " store, nothing that was not produced, every user's final profile"
                            + " (batches_sent), nothing in the dead-letter topic but the dead"
                            + " letters a scenario made on purpose, no rejected operation but"
                            + " those, the job running and checkpointing afterwards, and the"
                            + " fault-specific checks below.\n\n");
        } else {
            sb.append("**").append(failed).append(" scenario(s) failed:**\n\n");
            for (ScenarioResult r : results) {
                for (String f : r.failures) {
                    sb.append("- ").append(r.fault).append(": ").append(f).append('\n');
                }
            }
            sb.append('\n');
        }
        sb.append("## Scenarios\n\n");
        for (ScenarioResult r : results) {
            sb.append("- **")
                    .append(r.fault)
                    .append("** (")
                    .append(String.format("%.0f s", r.faultSeconds))
                    .append("): ")
                    .append(r.description)
                    .append(". ")
                    .append(
                            String.format(
                                    "%,d batches for %d users; %,d requests %s; longest delivery"
                                            + " gap %.1f s; %d job restart(s); %d failed"
                                            + " checkpoint(s).",
                                    r.batchesSent,
                                    r.users,
                                    r.requests,
                                    r.responsesByStatus,
                                    r.longestDeliveryGapSeconds == null
                                            ? 0
                                            : r.longestDeliveryGapSeconds,
                                    r.jobRestarts,
                                    r.checkpointsFailed));
            if (r.deadLettersExpected != null) {
                sb.append(
                        String.format(
                                " Dead letters: %d expected, %d present once, %d records in the"
                                        + " topic; Customer.io refused %d operations.",
                                r.deadLettersExpected,
                                r.deadLettersPresent,
                                r.deadLetters,
                                r.rejectedOperations));
            }
            for (String note : r.notes) {
                sb.append(" ").append(note).append('.');
            }
            sb.append('\n');
        }
        for (ScenarioResult r : results) {
            if (r.outage != null) {
                sb.append('\n').append(outage(r));
            }
        }
        Set<String> distinct = new LinkedHashSet<>();
        for (ScenarioResult r : results) {
            distinct.add(r.jobSettings != null ? r.jobSettings : settings);
        }
        if (distinct.isEmpty()) {
            distinct.add(settings);
        }
        for (String s : distinct) {
            sb.append("\nJob settings");
            if (distinct.size() > 1) {
                List<String> keys = new ArrayList<>();
                for (ScenarioResult r : results) {
                    if (s.equals(r.jobSettings)) {
                        keys.add(r.fault);
                    }
                }
                sb.append(" (").append(String.join(", ", keys)).append(")");
            }
            sb.append(":\n\n```properties\n").append(s).append("```\n");
        }
        return sb.toString();
    }

    /** The long outage's figures, as a list. */
    static String outage(ScenarioResult r) {
        OutageFigures f = r.outage;
        StringBuilder sb = new StringBuilder("## ").append(r.fault).append("\n\n");
        sb.append(
                String.format(
                        "- checkpointing: every %.0f s, timeout %.0f s, min pause %.0f s (Flink's"
                                + " REST API; flink-conf/config.yaml: %s); %s%n",
                        f.checkpointIntervalMs / 1000.0,
                        f.checkpointTimeoutMs / 1000.0,
                        f.checkpointMinPauseMs / 1000.0,
                        f.configYamlCheckpointing,
                        f.jobTimeouts));
        sb.append(
                String.format(
                        "- outage: %.1f s (%d phases: 503, then dropped connections, in turn)%n",
                        (f.outageEndMs - f.outageStartMs) / 1000.0, f.phases.size()));
        sb.append(
                String.format(
                        "- events produced %,d (%,d batches), delivered %,d, lost %,d, duplicates"
                                + " in store %,d, duplicates on the wire %,d%n",
                        r.eventsSent,
                        r.batchesSent,
                        r.delivered,
                        r.lost,
                        r.duplicatesInStore,
                        r.duplicatesOnTheWire));
        sb.append(
                String.format(
                        "- dead letters: %d expected, %d present exactly once, %d records in the"
                                + " topic%n",
                        r.deadLettersExpected, r.deadLettersPresent, r.deadLetters));
        if (f.upgrade != null) {
            sb.append(
                    String.format(
                            "- upgrade: `%s` %.0f s after the outage began, took %.1f s, exit"
                                    + " %d%n",
                            f.upgrade.command(),
                            (f.upgrade.startMs() - f.outageStartMs) / 1000.0,
                            f.upgrade.seconds(),
                            f.upgrade.exitCode()));
        }
        sb.append(
                String.format(
                        "- during the outage: %d checkpoints and %d savepoint(s) completed, %d"
                                + " checkpoints failed, %d requests accepted%n",
                        f.checkpointsCompletedDuringOutage,
                        f.savepointsCompletedDuringOutage,
                        f.checkpointsFailedDuringOutage,
                        f.requestsAcceptedDuringOutage));
        sb.append(
                String.format(
                        "- max checkpoint age during the outage: %.1f s (sampled every 2 s: %.1f"
                                + " s; job gauge: %s)%n",
                        f.maxCheckpointAgeDuringOutageMs / 1000.0,
                        f.maxCheckpointAgeSampledDuringOutageMs / 1000.0,
                        f.maxCheckpointAgeGaugeDuringOutageMs == null
                                ? "not read"
                                : String.format(
                                        "%.1f s", f.maxCheckpointAgeGaugeDuringOutageMs / 1000.0)));
        sb.append(
                String.format(
                        "- after the outage: resumed %s, drained %s%n",
                        r.resumedSeconds == null ? "?" : ScenarioResult.seconds(r.resumedSeconds),
                        r.drainedSeconds == null
                                ? "never"
                                : ScenarioResult.seconds(r.drainedSeconds)));
        sb.append("- final job: restored from ")
                .append(f.finalJobRestoredFrom)
                .append(", ")
                .append(f.finalJobRestarts)
                .append(" restart(s), failedCommittables ")
                .append(f.failedCommittablesAfterUpgrade)
                .append(" after its first checkpoint (commits of the savepoint's transactions)")
                .append(" and ")
                .append(f.finalJobFailedCommittables)
                .append(" at the end")
                .append('\n');
        sb.append("\n![checkpoint age](").append(CHECKPOINT_AGE_PLOT).append(")\n");
        return sb.toString();
    }

    static void write(
            Path dir, List<ScenarioResult> results, String command, Spans spans, String settings)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("result.md"), markdown(results, command, spans, settings));
        ObjectNode root = ChaosStack.MAPPER.createObjectNode();
        root.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        root.put("command", command);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("spans", spans.describe());
        root.put("job_settings", settings);
        root.put("passed", results.stream().allMatch(ScenarioResult::passed));
        ArrayNode scenarios = root.putArray("scenarios");
        for (ScenarioResult r : results) {
            scenarios.add(ChaosStack.MAPPER.valueToTree(r));
        }
        for (ScenarioResult r : results) {
            if (r.outage != null) {
                CheckpointAgePlot.write(r.outage, dir.resolve(CHECKPOINT_AGE_PLOT));
            }
        }
        Files.writeString(
                dir.resolve("result.json"),
                ChaosStack.MAPPER
                        .copy()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(root));
    }
}
