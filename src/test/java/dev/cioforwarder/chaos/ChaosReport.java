package dev.cioforwarder.chaos;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The suite's figures as a Markdown table (result.md, also printed) and as JSON (result.json). */
final class ChaosReport {

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
                            + " (batches_sent), nothing in the dead-letter topic, no rejected"
                            + " operation, the job running and checkpointing afterwards, and the"
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
            for (String note : r.notes) {
                sb.append(" ").append(note).append('.');
            }
            sb.append('\n');
        }
        sb.append("\nJob settings:\n\n```properties\n").append(settings).append("```\n");
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
        Files.writeString(
                dir.resolve("result.json"),
                ChaosStack.MAPPER
                        .copy()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(root));
    }
}
