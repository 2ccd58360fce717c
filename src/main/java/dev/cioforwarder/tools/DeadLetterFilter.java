package dev.cioforwarder.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Which dead letters a command works on: each filter given must match (a {@code null} or empty one
 * matches every letter), and no more than {@code max} of them are taken.
 *
 * @param offsets positions in the dead-letter topic, as {@code partition:offset}
 */
record DeadLetterFilter(
        String reason, String stage, String mpid, String contains, Set<String> offsets, int max) {

    DeadLetterFilter {
        offsets = Set.copyOf(offsets);
    }

    /** Whether the dead letter at this position of the dead-letter topic is one of those asked. */
    boolean matches(int partition, long offset, JsonNode letter) {
        return (reason == null || reason.equals(letter.path("reason").asText()))
                && (stage == null || stage.equals(letter.path("stage").asText()))
                && (mpid == null || mpid.equals(letter.path("mpid").asText()))
                && (contains == null || mentions(letter, contains))
                && (offsets.isEmpty() || offsets.contains(partition + ":" + offset));
    }

    /**
     * Whether the dead letter mentions {@code text} (case-insensitively) anywhere: its detail, its
     * payload, or its payload decoded from base64.
     */
    private static boolean mentions(JsonNode letter, String text) {
        String needle = text.toLowerCase(Locale.ROOT);
        if (letter.toString().toLowerCase(Locale.ROOT).contains(needle)) {
            return true;
        }
        if (letter.hasNonNull("payload_base64")) {
            byte[] payload = Base64.getDecoder().decode(letter.get("payload_base64").asText());
            return new String(payload, StandardCharsets.UTF_8)
                    .toLowerCase(Locale.ROOT)
                    .contains(needle);
        }
        return false;
    }
}
