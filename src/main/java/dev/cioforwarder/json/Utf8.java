package dev.cioforwarder.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 checks for hostile input.
 *
 * <p>Jackson decodes UTF-8 leniently: it accepts overlong encodings ({@code C0 AF} becomes {@code
 * /}), surrogates encoded in UTF-8 ({@code ED A0 80}) and sequences beyond U+10FFFF, turning them
 * into characters the sender never wrote; and it guesses UTF-16 or UTF-32 from NUL bytes. JSON
 * exchanged between systems must be UTF-8 (RFC 8259, section 8.1) and never holds a raw NUL (not
 * whitespace, not allowed unescaped in a string), so a record is checked here before Jackson sees
 * it.
 */
public final class Utf8 {

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Utf8() {}

    /**
     * The index of the first byte that makes {@code bytes} invalid as the UTF-8 text of a JSON
     * document (an ill-formed sequence per the Unicode standard, table 3-7, or a NUL byte), or -1
     * when there is none.
     */
    public static int firstInvalidByte(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            // Fast path: eight bytes at a time while they are ASCII and not NUL (most of a batch).
            if (i + 8 <= n) {
                long word = (long) LONGS.get(bytes, i);
                boolean nonAscii = (word & 0x8080808080808080L) != 0;
                boolean hasZero = ((word - 0x0101010101010101L) & ~word & 0x8080808080808080L) != 0;
                if (!nonAscii && !hasZero) {
                    i += 8;
                    continue;
                }
            }
            int b = bytes[i];
            if (b > 0) {
                i++;
                continue;
            }
            if (b == 0) {
                return i;
            }
            int length = sequenceLength(bytes, i);
            if (length < 0) {
                return i;
            }
            i += length;
        }
        return -1;
    }

    /** Why the byte at {@code index} (from {@link #firstInvalidByte}) is invalid, in words. */
    public static String describeInvalidByte(byte[] bytes, int index) {
        int b = bytes[index] & 0xFF;
        if (b == 0) {
            return "a NUL byte (JSON text never holds one; UTF-16 or UTF-32 input?)";
        }
        if (b >= 0x80 && b <= 0xBF) {
            return "a continuation byte without a lead byte";
        }
        if (b == 0xC0 || b == 0xC1) {
            return "an overlong encoding";
        }
        if (b >= 0xF5) {
            return "a byte that never appears in UTF-8";
        }
        int second = index + 1 < bytes.length ? bytes[index + 1] & 0xFF : -1;
        if (b == 0xE0 && second >= 0x80 && second <= 0x9F
                || b == 0xF0 && second >= 0x80 && second <= 0x8F) {
            return "an overlong encoding";
        }
        if (b == 0xED && second >= 0xA0 && second <= 0xBF) {
            return "a UTF-16 surrogate encoded in UTF-8";
        }
        if (b == 0xF4 && second >= 0x90 && second <= 0xBF) {
            return "a code point above U+10FFFF";
        }
        return "a truncated multi-byte sequence";
    }

    /**
     * {@code s} with every unpaired UTF-16 surrogate replaced by U+FFFD, the Unicode replacement
     * character; {@code s} itself when it has none. JSON can escape a lone surrogate ({@code
     * "\\ud800"}, which JavaScript produces when it cuts a string inside an emoji), but no UTF-8
     * can carry one: encoders would write {@code ?} instead (turning {@code "a\\ud800"} into the
     * identifier {@code "a?"}) or fail.
     */
    public static String wellFormed(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return replaceUnpaired(s, i);
                }
            }
        }
        return s;
    }

    private static String replaceUnpaired(String s, int from) {
        StringBuilder out = new StringBuilder(s.length()).append(s, 0, from);
        int n = s.length();
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The length of the well-formed sequence starting at {@code i}: 1 for any ASCII byte (NUL
     * included), 2 to 4 for a well-formed multi-byte sequence, -1 when ill-formed.
     */
    public static int sequenceLengthAt(byte[] bytes, int i) {
        return bytes[i] >= 0 ? 1 : sequenceLength(bytes, i);
    }

    /** The length of the well-formed sequence starting at {@code i} (a non-ASCII lead), or -1. */
    private static int sequenceLength(byte[] bytes, int i) {
        int b = bytes[i] & 0xFF;
        int n = bytes.length;
        if (b >= 0xC2 && b <= 0xDF) {
            return i + 1 < n && isContinuation(bytes[i + 1]) ? 2 : -1;
        }
        if (b >= 0xE0 && b <= 0xEF) {
            if (i + 2 >= n) {
                return -1;
            }
            int second = bytes[i + 1] & 0xFF;
            int low = b == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
            int high = b == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
            return second >= low && second <= high && isContinuation(bytes[i + 2]) ? 3 : -1;
        }
        if (b >= 0xF0 && b <= 0xF4) {
            if (i + 3 >= n) {
                return -1;
            }
            int second = bytes[i + 1] & 0xFF;
            int low = b == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
            int high = b == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
            return second >= low
                            && second <= high
                            && isContinuation(bytes[i + 2])
                            && isContinuation(bytes[i + 3])
                    ? 4
                    : -1;
        }
        return -1; // 80..BF continuation without a lead, C0/C1 overlong, F5..FF never valid
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
