package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.ParseFailures.at;
import static dev.cioforwarder.mparticle.ParseFailures.expected;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.Utf8;
import dev.cioforwarder.json.ValueType;
import java.io.IOException;
import java.io.StringWriter;

/**
 * One record's streaming parser and its bytes, with the reads every part of a batch shares: text,
 * times, attribute objects, and where in the bytes a value starts. The readers of the batch, its
 * events and their commerce parts all move this one parser forward.
 */
final class JsonCursor {

    final JsonParser p;
    final byte[] payload;

    JsonCursor(JsonParser p, byte[] payload) {
        this.p = p;
        this.payload = payload;
    }

    /** Where the parser stands, as a detail's suffix: {@code " (line L, column C, byte B)"}. */
    String here() {
        return at(p.currentLocation());
    }

    /** The current string or scalar as well-formed text (see {@link Utf8#wellFormed}). */
    String text() throws IOException {
        return Utf8.wellFormed(p.getText());
    }

    /** A scalar as text; a structure is a batch-level error of {@code reason}. */
    String scalarText(JsonToken v, DeadLetterReason reason, String where) throws IOException {
        switch (v) {
            case VALUE_STRING:
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
            case VALUE_TRUE:
            case VALUE_FALSE:
                return text();
            case VALUE_NULL:
                return null;
            default:
                throw new ParseFailures.BatchError(
                        reason, expected(where, "a string", v, p.currentLocation()));
        }
    }

    /** A string as well-formed text; null for anything else (skipped). */
    String lenientText(JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return text();
        }
        p.skipChildren();
        return null;
    }

    /**
     * Where the current token (a brace here) starts in the payload, as {@code
     * currentTokenLocation().getByteOffset()} says. That builds a location object, twice per event
     * on the hot path; Jackson's byte parser keeps the same offset, plus one, in a field it answers
     * without allocating. Event ids hash these bytes, so the two must never differ (BatchParserTest
     * pins the bytes).
     */
    int tokenByteOffset() {
        if (p instanceof ParserBase base && p.currentToken() != JsonToken.FIELD_NAME) {
            return (int) base.getTokenCharacterOffset() - 1;
        }
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /**
     * A time in ms as a number or numeric string; {@link MParticleEvent#NO_TIME} for null.
     *
     * @param where the field, for the detail of an {@link ParseFailures.EventError}
     */
    long readTime(JsonToken value, String where) throws IOException, ParseFailures.EventError {
        long time;
        switch (value) {
            case VALUE_NULL:
                return MParticleEvent.NO_TIME;
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new ParseFailures.EventError(where + ": out of range" + here());
                }
                time = p.getLongValue();
                break;
            case VALUE_STRING:
                try {
                    time = parseAsciiLong(p.getText().trim());
                } catch (NumberFormatException e) {
                    throw new ParseFailures.EventError(
                            where
                                    + ": the string is not an integer number of milliseconds"
                                    + here());
                }
                break;
            default:
                p.skipChildren();
                throw new ParseFailures.EventError(
                        expected(
                                where,
                                "integer milliseconds as a number or a string",
                                value,
                                p.currentLocation()));
        }
        // ULIDs hold 48 bits of milliseconds; anything outside is not a real time.
        if (time < 0 || time >= (1L << 48)) {
            throw new ParseFailures.EventError(
                    where + ": the time is outside 0 .. 2^48 ms" + here());
        }
        return time;
    }

    /**
     * {@link Long#parseLong} limited to ASCII digits: it also reads other scripts' digits, which
     * would make the MPID string {@code "١٢٣"} (Arabic-Indic) the same user as {@code 123}.
     */
    static long parseAsciiLong(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && !(i == 0 && (c == '-' || c == '+'))) {
                throw new NumberFormatException("not an ASCII integer");
            }
        }
        return Long.parseLong(text);
    }

    /**
     * Reads the members of an object already opened into {@code into}. A null is a user tag ({@code
     * setUserTag}) among user attributes, and kept; in event attributes it is skipped.
     */
    void readAttributeObject(Attributes into, boolean keepNulls) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = Utf8.wellFormed(p.currentName());
            JsonToken v = p.nextToken();
            switch (v) {
                case VALUE_STRING:
                    into.add(name, ValueType.STRING, text());
                    break;
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                    // The exact text: 19.99 stays 19.99, a 20-digit id stays exact.
                    into.add(name, ValueType.NUMBER, p.getText());
                    break;
                case VALUE_TRUE:
                    into.add(name, ValueType.BOOLEAN, "true");
                    break;
                case VALUE_FALSE:
                    into.add(name, ValueType.BOOLEAN, "false");
                    break;
                case VALUE_NULL:
                    if (keepNulls) {
                        into.add(name, ValueType.NULL, "");
                    }
                    break;
                default:
                    into.add(name, ValueType.JSON, copyStructure());
            }
        }
    }

    /** The current array or object as compact JSON text (lists are rare in attributes). */
    String copyStructure() throws IOException {
        StringWriter out = new StringWriter(64);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        // Lone surrogates stay raw in a character-based copy; written later as raw UTF-8
        // they would make the encoder fail.
        return Utf8.wellFormed(out.toString());
    }
}
