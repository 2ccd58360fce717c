package dev.cioforwarder.mparticle;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Cursors for the parser's readers, standing on a value as the batch reader hands it over. */
final class JsonCursors {

    private JsonCursors() {}

    /** A cursor on the whole {@code json}, before its first token. */
    static JsonCursor over(String json) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        try {
            return new JsonCursor(Json.factory().createParser(payload), payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A cursor over {@code {"v":VALUE,"after":true}}, standing on VALUE's first token: a reader
     * that reads exactly the value leaves the parser before {@code "after"} ({@link
     * #isJustAfterTheValue}).
     */
    static JsonCursor atValue(String value) {
        JsonCursor cursor = over("{\"v\":" + value + ",\"after\":true}");
        try {
            cursor.p.nextToken();
            cursor.p.nextToken();
            cursor.p.nextToken();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cursor;
    }

    /** The token the cursor stands on now. */
    static JsonToken token(JsonCursor cursor) {
        return cursor.p.currentToken();
    }

    /** Whether the next token is the {@code "after"} field of {@link #atValue}. */
    static boolean isJustAfterTheValue(JsonCursor cursor) throws IOException {
        JsonParser p = cursor.p;
        return p.nextToken() == JsonToken.FIELD_NAME && p.currentName().equals("after");
    }
}
