package dev.cioforwarder.mparticle;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.deadletter.DeadLetterReason;
import java.util.Locale;

/**
 * How the parser words what is wrong with a record: the one "expected X, found Y" shape, the JSON
 * types and positions it names, and Jackson's own messages made safe to keep. Details never quote
 * payload values (they may be personal data).
 *
 * <p>Every method here runs on the failure path only: a record that parses builds none of these
 * strings.
 */
final class ParseFailures {

    private ParseFailures() {}

    /** {@code where: expected X, found Y}, Y being the JSON type of {@code found}. */
    static String expected(String where, String expected, JsonToken found) {
        return expected(where, expected, describe(found));
    }

    /** {@code where: expected X, found Y (line L, column C, byte B)}. */
    static String expected(String where, String expected, JsonToken found, JsonLocation location) {
        return expected(where, expected, describe(found)) + at(location);
    }

    /** {@code where: expected X, found Y}, Y said in words. */
    static String expected(String where, String expected, String found) {
        return where + ": expected " + expected + ", found " + found;
    }

    /** A JSON type as the details name it: "an object", "a string", "null"... */
    static String describe(JsonToken token) {
        switch (token) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
                return "an integer";
            case VALUE_NUMBER_FLOAT:
                return "a decimal number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return token.name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code " (line L, column C, byte B)"}; empty without a location. */
    static String at(JsonLocation location) {
        if (location == null) {
            return "";
        }
        return " (line "
                + location.getLineNr()
                + ", column "
                + location.getColumnNr()
                + ", byte "
                + location.getByteOffset()
                + ")";
    }

    private static final String UNRECOGNIZED_TOKEN = "Unrecognized token '";
    private static final String DUPLICATE_FIELD = "Duplicate field '";

    /** What Jackson writes for a location when the source is not included, before the line. */
    private static final String REDACTED_SOURCE =
            "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); ";

    /**
     * Jackson's message on one short line, without the input it quotes: an unrecognized token is
     * whatever unquoted text the record holds at that point (an email with its quotes lost, say),
     * and a duplicate key can be any key of the payload. Single characters and fixed words stay.
     */
    static String sanitize(String message) {
        if (message == null) {
            return "unreadable JSON";
        }
        String oneLine =
                message.replace('\n', ' ').replace('\r', ' ').replace(REDACTED_SOURCE, "[");
        if (oneLine.startsWith(UNRECOGNIZED_TOKEN)) {
            // The token itself may hold quotes; the fixed text after it is the last occurrence.
            int end = oneLine.lastIndexOf("': was expecting");
            oneLine =
                    "Unrecognized token (not quoted here)"
                            + (end >= UNRECOGNIZED_TOKEN.length()
                                    ? oneLine.substring(end + 1)
                                    : "");
        } else if (oneLine.startsWith(DUPLICATE_FIELD)) {
            int end = oneLine.lastIndexOf('\'');
            String name =
                    end > DUPLICATE_FIELD.length()
                            ? oneLine.substring(DUPLICATE_FIELD.length(), end)
                            : "";
            oneLine =
                    KnownFields.FORMAT_FIELDS.contains(name)
                            ? "Duplicate field '" + name + "'"
                            : "Duplicate field (a key of the payload, not quoted here)";
        }
        return oneLine.length() > 160 ? oneLine.substring(0, 160) + "…" : oneLine;
    }

    /** A batch-level problem: the whole record is rejected with {@link #reason}. */
    static final class BatchError extends RuntimeException {
        private final DeadLetterReason reason;

        BatchError(DeadLetterReason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }

        DeadLetterReason reason() {
            return reason;
        }
    }

    /** An event-level problem: only that event is rejected. */
    static final class EventError extends Exception {
        EventError(String detail) {
            super(detail, null, false, false);
        }
    }
}
