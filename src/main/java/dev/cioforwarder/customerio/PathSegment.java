package dev.cioforwarder.customerio;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encodes a person identifier as one URL path segment, exactly like JavaScript's {@code
 * encodeURIComponent} (which the official customerio-node client uses), so {@code /} becomes {@code
 * %2F} and {@code @} becomes {@code %40}. The segments {@code .} and {@code ..} are encoded too,
 * since HTTP stacks would otherwise resolve them as relative paths.
 */
public final class PathSegment {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathSegment() {}

    public static String encode(String value) {
        if (value.equals(".")) {
            return "%2E";
        }
        if (value.equals("..")) {
            return "%2E%2E";
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (isUnescaped(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return out.toString();
    }

    /** encodeURIComponent leaves {@code A-Z a-z 0-9 - _ . ! ~ * ' ( )} as they are. */
    private static boolean isUnescaped(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '_'
                || c == '.'
                || c == '!'
                || c == '~'
                || c == '*'
                || c == '\''
                || c == '('
                || c == ')';
    }
}
