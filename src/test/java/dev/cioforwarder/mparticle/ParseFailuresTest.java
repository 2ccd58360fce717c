package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.ContentReference;
import dev.cioforwarder.deadletter.DeadLetterReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseFailuresTest {

    private static final JsonLocation LINE_3 =
            new JsonLocation(ContentReference.unknown(), 42L, -1L, 3, 7);

    @Test
    void namesWhereWhatWasExpectedAndTheTypeFound() {
        assertThat(ParseFailures.expected("events[2].data", "an object", JsonToken.START_ARRAY))
                .isEqualTo("events[2].data: expected an object, found an array");
    }

    @Test
    void appendsThePositionWhenGivenOne() {
        assertThat(
                        ParseFailures.expected(
                                "user_attributes", "an object", JsonToken.VALUE_STRING, LINE_3))
                .isEqualTo(
                        "user_attributes: expected an object, found a string"
                                + " (line 3, column 7, byte 42)");
    }

    @Test
    void saysWhatWasFoundInWordsWhenNoTypeSaysIt() {
        assertThat(
                        ParseFailures.expected(
                                "events[0].data.is_opted_out",
                                "a boolean",
                                "a string that is not one"))
                .isEqualTo(
                        "events[0].data.is_opted_out: expected a boolean, found a string that is"
                                + " not one");
    }

    @ParameterizedTest
    @CsvSource({
        "START_OBJECT, an object",
        "START_ARRAY, an array",
        "VALUE_STRING, a string",
        "VALUE_NUMBER_INT, an integer",
        "VALUE_NUMBER_FLOAT, a decimal number",
        "VALUE_TRUE, a boolean",
        "VALUE_FALSE, a boolean",
        "VALUE_NULL, null",
        "END_ARRAY, end_array"
    })
    void describesEachJsonType(JsonToken token, String words) {
        assertThat(ParseFailures.describe(token)).isEqualTo(words);
    }

    @Test
    void aMissingLocationAddsNothing() {
        assertThat(ParseFailures.at(null)).isEmpty();
        assertThat(ParseFailures.at(LINE_3)).isEqualTo(" (line 3, column 7, byte 42)");
    }

    @Test
    void anUnrecognizedTokenIsNotQuoted() {
        String jackson =
                "Unrecognized token 'ada@example.com': was expecting 'null', 'true' or 'false'\n"
                        + " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION`"
                        + " disabled); line: 1, column: 20]";

        assertThat(ParseFailures.sanitize(jackson))
                .isEqualTo(
                        "Unrecognized token (not quoted here): was expecting 'null', 'true' or"
                                + " 'false'  at [line: 1, column: 20]");
    }

    @Test
    void aDuplicateFieldIsNamedOnlyWhenItIsAFieldOfTheFormat() {
        assertThat(ParseFailures.sanitize("Duplicate field 'mpid'\n at [line: 1, column: 22]"))
                .isEqualTo("Duplicate field 'mpid'");
        assertThat(ParseFailures.sanitize("Duplicate field 'ada@example.com'"))
                .isEqualTo("Duplicate field (a key of the payload, not quoted here)");
    }

    @Test
    void keepsOneShortLine() {
        assertThat(ParseFailures.sanitize("first\r\nsecond")).isEqualTo("first  second");
        assertThat(ParseFailures.sanitize("x".repeat(200))).isEqualTo("x".repeat(160) + "…");
        assertThat(ParseFailures.sanitize(null)).isEqualTo("unreadable JSON");
    }

    @Test
    void aBatchErrorCarriesItsReasonAndDetailWithoutAStackTrace() {
        ParseFailures.BatchError error =
                new ParseFailures.BatchError(DeadLetterReason.EVENTS_INVALID, "events: bad");

        assertThat(error.reason()).isEqualTo(DeadLetterReason.EVENTS_INVALID);
        assertThat(error.getMessage()).isEqualTo("events: bad");
        assertThat(error.getStackTrace()).isEmpty();
    }
}
