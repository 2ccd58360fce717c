package dev.cioforwarder.deadletter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.cioforwarder.json.Json;
import dev.cioforwarder.json.Utf8;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The dead-letter topic's record format: one JSON object per record. The payload is written as
 * {@code payload_text} when it is valid UTF-8 (so people can read it and replay exactly those
 * bytes), else as {@code payload_base64}.
 */
public final class DeadLetterJson {

    private DeadLetterJson() {}

    public static byte[] toJson(DeadLetter d) {
        ByteArrayBuilder out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("reason", d.reason);
            g.writeStringField("stage", d.stage);
            g.writeStringField("detail", d.detail);
            g.writeObjectFieldStart("source");
            g.writeStringField("topic", d.sourceTopic);
            g.writeNumberField("partition", d.sourcePartition);
            g.writeNumberField("offset", d.sourceOffset);
            g.writeEndObject();
            if (d.erasureRequestId != null) {
                g.writeStringField("erasure_request_id", d.erasureRequestId);
            }
            if (d.mpid != null) {
                g.writeStringField("mpid", d.mpid);
            }
            if (d.responseStatus != 0) {
                g.writeObjectFieldStart("customerio_response");
                g.writeNumberField("status", d.responseStatus);
                g.writeStringField("body", d.response);
                g.writeEndObject();
            }
            g.writeStringField("payload_kind", d.payloadKind);
            String text = d.payload == null ? null : utf8OrNull(d.payload);
            if (text != null) {
                g.writeStringField("payload_text", text);
            } else if (d.payload != null) {
                g.writeStringField("payload_base64", Base64.getEncoder().encodeToString(d.payload));
            }
            if (d.payloadTruncated) {
                g.writeBooleanField("payload_truncated", true);
            }
            g.writeNumberField("dead_lettered_at_ms", d.deadLetteredAtMs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * How many leading bytes of {@code payload} fit into {@code budget} bytes once written as this
     * format writes them: {@code payload_text} with JSON escapes when the prefix is UTF-8 (a quote
     * takes 2 bytes, a control character up to 6, a character outside the BMP 12, as Jackson
     * escapes it as a surrogate pair), else {@code payload_base64} (4 bytes per 3). A text prefix
     * ends on a character boundary, so it stays text.
     */
    public static int fittingPrefix(byte[] payload, int budget) {
        long written = 0;
        int i = 0;
        int n = payload.length;
        while (i < n) {
            int length = Utf8.sequenceLengthAt(payload, i);
            if (length < 0) {
                // Not UTF-8: base64. A shorter prefix that is text after all is no longer than
                // the text measured so far, which fitted.
                return Math.min(n, budget / 4 * 3);
            }
            int cost = length == 1 ? escapedAsciiLength(payload[i]) : length == 4 ? 12 : length;
            if (written + cost > budget) {
                return i;
            }
            written += cost;
            i += length;
        }
        return n;
    }

    /** Bytes Jackson writes for one ASCII character inside a JSON string. */
    private static int escapedAsciiLength(byte b) {
        switch (b) {
            case '"':
            case '\\':
            case '\b':
            case '\t':
            case '\n':
            case '\f':
            case '\r':
                return 2;
            default:
                return b < 0x20 ? 6 : 1;
        }
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
