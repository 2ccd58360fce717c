package dev.cioforwarder.customerio;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic ULIDs for Customer.io event ids: the same source event always yields the same id,
 * so Customer.io drops a replayed or retried event as a duplicate.
 *
 * <p>The 48-bit time part is the event time in milliseconds (Customer.io does not use it, but it
 * keeps ids sortable for people reading them); the 80-bit "random" part is the first 80 bits of
 * SHA-256 over the user and the event's dedup key. <b>Never change this derivation</b>: events
 * replayed across an upgrade would get new ids and be counted twice.
 *
 * <p>Not thread-safe (it reuses a digest); each operator instance owns one.
 */
public final class Ulid {

    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final long MAX_TIME = (1L << 48) - 1;

    private final MessageDigest sha256;

    public Ulid() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * @param timeMs the event time, clamped into the 48 bits a ULID holds
     * @param user the MPID (or user key) the event belongs to
     * @param dedupKey what identifies the event within the user's data
     */
    public String of(long timeMs, String user, String dedupKey) {
        sha256.reset();
        sha256.update(user.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        byte[] digest = sha256.digest(dedupKey.getBytes(StandardCharsets.UTF_8));
        long time = Math.max(0, Math.min(MAX_TIME, timeMs));
        // 128 bits: 48 of time, then 80 of hash.
        long high = (time << 16) | ((digest[0] & 0xFFL) << 8) | (digest[1] & 0xFFL);
        long low = 0;
        for (int i = 2; i < 10; i++) {
            low = (low << 8) | (digest[i] & 0xFFL);
        }
        return encode(high, low);
    }

    /** Crockford base32 of a 128-bit value as 26 characters (the top two bits are zero). */
    static String encode(long high, long low) {
        char[] out = new char[26];
        // Walk the 130-bit big-endian number 5 bits at a time from the least significant end.
        for (int i = 25; i >= 0; i--) {
            out[i] = CROCKFORD[(int) (low & 31)];
            low = (low >>> 5) | ((high & 31) << 59);
            high >>>= 5;
        }
        return new String(out);
    }

    /** Whether {@code s} has ULID syntax: 26 Crockford characters, first one 0-7. */
    public static boolean isValid(String s) {
        if (s == null || s.length() != 26 || s.charAt(0) > '7') {
            return false;
        }
        for (int i = 0; i < 26; i++) {
            char c = s.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            boolean letter = c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U';
            if (!digit && !letter) {
                return false;
            }
        }
        return true;
    }
}
