package dev.cioforwarder.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

    /** Java's strict decoder is the reference: same verdict on every input, NUL aside. */
    private static boolean javaAccepts(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void agreesWithTheStrictJavaDecoderOnRandomBytes() {
        Random random = new Random(20251128);
        // Bytes biased towards the interesting ranges: lead bytes, continuations, ASCII.
        int[] pool = {
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF
        };
        for (int round = 0; round < 200_000; round++) {
            // Short arrays of anything, and longer mostly-ASCII ones for the 8-byte fast path.
            boolean longer = round % 2 == 1;
            byte[] bytes = new byte[random.nextInt(longer ? 40 : 6)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] =
                        longer && random.nextInt(12) != 0
                                ? (byte) (1 + random.nextInt(0x7F))
                                : (byte) pool[random.nextInt(pool.length)];
            }
            boolean valid = Utf8.firstInvalidByte(bytes) < 0;
            assertThat(valid)
                    .as("verdict on %s", HexFormat.of().formatHex(bytes))
                    .isEqualTo(javaAccepts(bytes));
        }
    }

    @Test
    void everyCodePointEncodedByJavaIsValid() {
        StringBuilder all = new StringBuilder();
        for (int cp = 1; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                all.appendCodePoint(cp);
            }
        }
        assertThat(Utf8.firstInvalidByte(all.toString().getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(-1);
    }

    @Test
    void reportsTheFirstBadByteAndWhy() {
        byte[] truncated = {'a', 'b', (byte) 0xE2, (byte) 0x82};
        assertThat(Utf8.firstInvalidByte(truncated)).isEqualTo(2);
        assertThat(Utf8.describeInvalidByte(truncated, 2))
                .isEqualTo("a truncated multi-byte sequence");
        byte[] lone = {'x', (byte) 0x80};
        assertThat(Utf8.describeInvalidByte(lone, Utf8.firstInvalidByte(lone)))
                .isEqualTo("a continuation byte without a lead byte");
    }

    @Test
    void wellFormedReplacesOnlyUnpairedSurrogates() {
        String clean = "plain é 😀";
        assertThat(Utf8.wellFormed(clean)).isSameAs(clean);
        assertThat(Utf8.wellFormed("\ud800")).isEqualTo("\uFFFD");
        assertThat(Utf8.wellFormed("a\udc00\ud800")).isEqualTo("a\uFFFD\uFFFD");
        assertThat(Utf8.wellFormed("\ud83d\ude00\ud83d")).isEqualTo("😀\uFFFD");
        assertThat(Utf8.wellFormed("\ude00\ud83d\ude00")).isEqualTo("\uFFFD😀");
    }
}
