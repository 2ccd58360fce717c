package dev.cioforwarder.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The one JSON configuration: input nested at most 64 levels, numbers of at most 64 characters,
 * duplicate keys refused, and no payload in an error's location.
 */
class JsonTest {

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static void readAll(String json) throws IOException {
        try (JsonParser p = Json.factory().createParser(json)) {
            while (p.nextToken() != null) {
                // read every token
            }
        }
    }

    @Test
    void theLimitsAreThoseTheDesignStates() {
        assertThat(Json.MAX_NESTING_DEPTH).isEqualTo(64);
        assertThat(Json.MAX_NUMBER_LENGTH).isEqualTo(64);
        assertThat(Json.MAX_STRING_LENGTH).isEqualTo(8 * 1024 * 1024);
    }

    @Test
    void sixtyFourLevelsAreReadAndSixtyFiveAreRefused() throws IOException {
        readAll(nested(64));
        assertThatThrownBy(() -> readAll(nested(65)))
                .isInstanceOf(StreamConstraintsException.class);
        assertThatThrownBy(() -> Json.mapper().readTree(nested(65)))
                .isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void writingIsHeldToTheSameDepth() throws IOException {
        StringWriter out = new StringWriter();
        assertThatThrownBy(
                        () -> {
                            try (var g = Json.factory().createGenerator(out)) {
                                for (int i = 0; i < 65; i++) {
                                    g.writeStartArray();
                                }
                            }
                        })
                .isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void aNumberOfSixtyFiveDigitsIsRefused() throws IOException {
        String sixtyFour = "1".repeat(64);
        try (JsonParser p = Json.factory().createParser("[" + sixtyFour + "]")) {
            p.nextToken();
            assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_NUMBER_INT);
            assertThat(p.getText()).isEqualTo(sixtyFour);
        }
        assertThatThrownBy(() -> Json.mapper().readTree("[" + "1".repeat(65) + "]"))
                .isInstanceOf(StreamConstraintsException.class);
    }

    @Test
    void aDuplicateKeyIsRefusedNotSilentlyResolved() {
        assertThatThrownBy(() -> Json.mapper().readTree("{\"mpid\":1,\"mpid\":2}"))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("Duplicate field 'mpid'");
        assertThatThrownBy(() -> readAll("{\"a\":{\"b\":1,\"b\":1}}"))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void theSameKeyInTwoObjectsIsNoDuplicate() throws IOException {
        JsonNode node = Json.mapper().readTree("{\"a\":{\"k\":1},\"b\":{\"k\":2}}");
        assertThat(node.path("b").path("k").asInt()).isEqualTo(2);
    }

    @Test
    void anErrorSaysWhereButNotWhat() {
        String secret = "ada.lovelace@example.com";
        assertThatThrownBy(() -> Json.mapper().readTree("{\"email\":\"" + secret + "\",}"))
                .isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("line: 1")
                .hasMessageNotContaining(secret);
    }

    @Test
    void theMapperUsesTheFactory() {
        assertThat(Json.mapper().getFactory()).isSameAs(Json.factory());
    }
}
