package dev.cioforwarder.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.tools.DeadLetterTopic.Letter;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@code list} and {@code purge} print about the dead letters read. */
final class DeadLetterListing {

    private final PrintStream out;

    DeadLetterListing(PrintStream out) {
        this.out = out;
    }

    /** One entry per dead letter (with its payload if asked), then how many there are. */
    int list(List<Letter> letters, boolean payload) {
        for (Letter l : letters) {
            JsonNode j = l.json();
            JsonNode source = j.path("source");
            out.printf(
                    "%d:%d  %-24s %-9s source=%s/%s@%s mpid=%s%s%n    %s%n",
                    l.partition(),
                    l.offset(),
                    j.path("reason").asText(),
                    j.path("stage").asText(),
                    source.path("topic").asText(),
                    source.path("partition").asText(),
                    source.path("offset").asText(),
                    j.path("mpid").asText("-"),
                    j.has("customerio_response")
                            ? " customerio=" + j.path("customerio_response").path("status").asText()
                            : "",
                    j.path("detail").asText());
            if (payload) {
                out.println(
                        "    payload: "
                                + j.path("payload_text").asText(j.path("payload_base64").asText()));
            }
        }
        out.println(letters.size() + " dead letter(s)");
        return 0;
    }

    /**
     * For an erasure: which dead letters hold the person's data, and how to get rid of them. Kafka
     * cannot delete single records, so this rewrites nothing; it names the records and the ways
     * that remove them (retention, deleting a partition's prefix, or compaction by MPID key).
     *
     * @param mpid the person's MPID, or {@code null} when only --contains named them
     */
    int purge(List<Letter> letters, String topic, String mpid) {
        Map<Integer, Long> lastOffsetByPartition = new TreeMap<>();
        for (Letter l : letters) {
            JsonNode j = l.json();
            out.printf(
                    "%d:%d  %-24s %-9s mpid=%s dead_lettered_at_ms=%s%n",
                    l.partition(),
                    l.offset(),
                    j.path("reason").asText(),
                    j.path("stage").asText(),
                    j.path("mpid").asText("-"),
                    j.path("dead_lettered_at_ms").asText("-"));
            lastOffsetByPartition.merge(l.partition(), l.offset(), Math::max);
        }
        out.println(letters.size() + " dead letter(s) hold this person's data in " + topic);
        if (letters.isEmpty()) {
            return 0;
        }
        out.println();
        out.println("Kafka cannot delete single records; nothing was changed. To remove these:");
        out.println(
                "  1. Expire them: they go when the topic's retention passes (retention.ms; set it"
                        + " shorter than your erasure deadline, e.g. 30 days:");
        out.println(
                "     kafka-configs.sh --bootstrap-server B --alter --entity-type topics"
                        + " --entity-name "
                        + topic
                        + " --add-config retention.ms=2592000000).");
        StringBuilder offsets = new StringBuilder("{\"partitions\":[");
        boolean first = true;
        for (Map.Entry<Integer, Long> e : lastOffsetByPartition.entrySet()) {
            offsets.append(first ? "" : ",")
                    .append("{\"topic\":\"")
                    .append(topic)
                    .append("\",\"partition\":")
                    .append(e.getKey())
                    .append(",\"offset\":")
                    .append(e.getValue() + 1)
                    .append('}');
            first = false;
        }
        offsets.append("],\"version\":1}");
        out.println(
                "  2. Or delete everything up to and including them now (other people's earlier"
                        + " dead letters in these partitions go too: replay or copy what you"
                        + " still need first):");
        out.println(
                "     kafka-delete-records.sh --bootstrap-server B --offset-json-file <(echo '"
                        + offsets
                        + "')");
        out.println(
                "  3. Or, on a topic with cleanup.policy=compact,delete, dead letters are keyed by"
                        + " MPID: a tombstone (key "
                        + (mpid != null ? mpid : "<MPID>")
                        + ", null value) removes that MPID's letters at the next compaction."
                        + " (Compaction also keeps only each MPID's latest dead letter.) Dead"
                        + " letters without an MPID (parse stage) are unkeyed: only 1 or 2 remove"
                        + " them.");
        return 0;
    }
}
