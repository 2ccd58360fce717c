package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.JsonCursors.atValue;
import static dev.cioforwarder.mparticle.JsonCursors.isJustAfterTheValue;
import static dev.cioforwarder.mparticle.JsonCursors.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import org.junit.jupiter.api.Test;

class JsonCursorTest {

    @Test
    void readsOnlyAsciiIntegers() {
        assertThat(JsonCursor.parseAsciiLong("123")).isEqualTo(123L);
        assertThat(JsonCursor.parseAsciiLong("-5")).isEqualTo(-5L);
        assertThat(JsonCursor.parseAsciiLong("+7")).isEqualTo(7L);
        // Arabic-Indic digits: Long.parseLong alone would read them as 123.
        assertThatThrownBy(() -> JsonCursor.parseAsciiLong("١٢٣"))
                .isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> JsonCursor.parseAsciiLong("1-2"))
                .isInstanceOf(NumberFormatException.class);
    }

    @Test
    void readsATimeAsANumberOrANumericString() throws Exception {
        JsonCursor number = atValue("1700000000000");
        assertThat(number.readTime(token(number), "t")).isEqualTo(1_700_000_000_000L);

        JsonCursor text = atValue("\" 1700000000000 \"");
        assertThat(text.readTime(token(text), "t")).isEqualTo(1_700_000_000_000L);

        JsonCursor none = atValue("null");
        assertThat(none.readTime(token(none), "t")).isEqualTo(MParticleEvent.NO_TIME);
    }

    @Test
    void aTimeOfAnotherTypeIsSkippedAndNamedWithItsField() throws Exception {
        JsonCursor cursor = atValue("[1]");

        assertThatThrownBy(() -> cursor.readTime(token(cursor), "events[0].data.t"))
                .isInstanceOf(ParseFailures.EventError.class)
                .hasMessage(
                        "events[0].data.t: expected integer milliseconds as a number or a string,"
                                + " found an array (line 1, column 9, byte 8)");
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }

    @Test
    void aTimeOutsideWhatAUlidHoldsIsRefused() {
        JsonCursor negative = atValue("-1");
        assertThatThrownBy(() -> negative.readTime(token(negative), "t"))
                .hasMessage("t: the time is outside 0 .. 2^48 ms (line 1, column 8, byte 7)");

        JsonCursor huge = atValue("123456789012345678901234");
        assertThatThrownBy(() -> huge.readTime(token(huge), "t"))
                .hasMessage("t: out of range (line 1, column 30, byte 29)");

        JsonCursor words = atValue("\"soon\"");
        assertThatThrownBy(() -> words.readTime(token(words), "t"))
                .hasMessage(
                        "t: the string is not an integer number of milliseconds"
                                + " (line 1, column 12, byte 11)");
    }

    @Test
    void aScalarIsTextAndAStructureRejectsTheBatchWithTheGivenReason() throws Exception {
        JsonCursor flag = atValue("true");
        assertThat(flag.scalarText(token(flag), DeadLetterReason.INVALID_JSON, "batch_id"))
                .isEqualTo("true");

        JsonCursor object = atValue("{\"a\":1}");
        assertThatThrownBy(
                        () ->
                                object.scalarText(
                                        token(object),
                                        DeadLetterReason.DEVICE_INFO_INVALID,
                                        "device_info.platform"))
                .isInstanceOfSatisfying(
                        ParseFailures.BatchError.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.DEVICE_INFO_INVALID))
                .hasMessage(
                        "device_info.platform: expected a string, found an object"
                                + " (line 1, column 7, byte 6)");
    }

    @Test
    void readsAttributesWithTheirJsonTypes() throws Exception {
        JsonCursor cursor =
                atValue("{\"s\":\"x\",\"n\":19.990,\"b\":false,\"tag\":null,\"l\":[1, \"2\"]}");

        Attributes kept = new Attributes();
        cursor.readAttributeObject(kept, true);

        assertThat(kept.names).containsExactly("s", "n", "b", "tag", "l");
        assertThat(kept.values).containsExactly("sx", "n19.990", "bfalse", "z", "j[1,\"2\"]");
        assertThat(kept.type(3)).isEqualTo(ValueType.NULL);
        assertThat(kept.type(4)).isEqualTo(ValueType.JSON);
        assertThat(isJustAfterTheValue(cursor)).isTrue();

        JsonCursor event = atValue("{\"s\":\"x\",\"tag\":null}");
        Attributes withoutNulls = new Attributes();
        event.readAttributeObject(withoutNulls, false);
        assertThat(withoutNulls.names).containsExactly("s");
    }

    @Test
    void findsWhereAnObjectStartsInTheBytes() throws Exception {
        JsonCursor cursor = JsonCursors.over("{\"a\":1,\"e\":{\"b\":2}}");
        for (int i = 0; i < 5; i++) {
            cursor.p.nextToken();
        }
        assertThat(cursor.p.currentToken()).isEqualTo(JsonToken.START_OBJECT);

        assertThat(cursor.tokenByteOffset()).isEqualTo(11);
    }

    @Test
    void aLenientTextIsAStringOrNothing() throws Exception {
        JsonCursor text = atValue("\"EUR\"");
        assertThat(text.lenientText(token(text))).isEqualTo("EUR");

        JsonCursor list = atValue("[\"EUR\"]");
        assertThat(list.lenientText(token(list))).isNull();
        assertThat(isJustAfterTheValue(list)).isTrue();
    }
}
