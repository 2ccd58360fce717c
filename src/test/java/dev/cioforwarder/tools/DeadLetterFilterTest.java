package dev.cioforwarder.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadLetterFilterTest {

    private static final DeadLetterFilter EVERY =
            new DeadLetterFilter(null, null, null, null, Set.of(), Integer.MAX_VALUE);

    private static JsonNode letter(String json) throws IOException {
        return Json.mapper().readTree(json);
    }

    private static DeadLetterFilter only(
            String reason, String stage, String mpid, String contains, Set<String> offsets) {
        return new DeadLetterFilter(reason, stage, mpid, contains, offsets, Integer.MAX_VALUE);
    }

    @Test
    void withoutFiltersEveryLetterMatches() throws IOException {
        assertThat(EVERY.matches(3, 99, letter("{}"))).isTrue();
    }

    @Test
    void reasonStageAndMpidMustEachBeEqual() throws IOException {
        JsonNode refused =
                letter(
                        "{\"reason\":\"rejected_by_customerio\",\"stage\":\"delivery\","
                                + "\"mpid\":\"8\"}");

        assertThat(
                        only("rejected_by_customerio", "delivery", "8", null, Set.of())
                                .matches(0, 0, refused))
                .isTrue();
        assertThat(only("invalid_json", null, null, null, Set.of()).matches(0, 0, refused))
                .isFalse();
        assertThat(only(null, "parse", null, null, Set.of()).matches(0, 0, refused)).isFalse();
        assertThat(only(null, null, "9", null, Set.of()).matches(0, 0, refused)).isFalse();
    }

    @Test
    void offsetsNameAPartitionAndAnOffsetOfTheDeadLetterTopic() throws IOException {
        DeadLetterFilter filter = only(null, null, null, null, Set.of("0:17", "1:3"));

        assertThat(filter.matches(0, 17, letter("{}"))).isTrue();
        assertThat(filter.matches(1, 3, letter("{}"))).isTrue();
        assertThat(filter.matches(1, 17, letter("{}"))).isFalse();
    }

    @Test
    void containsFindsTheTextInAnyCaseAlsoInABase64Payload() throws IOException {
        DeadLetterFilter ann = only(null, null, null, "ann@example.com", Set.of());
        String base64 =
                Base64.getEncoder()
                        .encodeToString(
                                "{\"email\":\"Ann@Example.COM\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(ann.matches(0, 0, letter("{\"detail\":\"for ANN@example.com\"}"))).isTrue();
        assertThat(ann.matches(0, 0, letter("{\"payload_base64\":\"" + base64 + "\"}"))).isTrue();
        assertThat(ann.matches(0, 0, letter("{\"detail\":\"for bob@example.com\"}"))).isFalse();
    }
}
