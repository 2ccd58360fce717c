package dev.cioforwarder.mapping;

import dev.cioforwarder.json.Attributes;

/**
 * A 64-bit fingerprint of a profile's attributes, independent of their order, for delta identify.
 * Stored in {@link UserState}: changing the function only costs one extra identify per user after
 * an upgrade, but there is no reason to.
 */
final class ProfileFingerprint {

    private ProfileFingerprint() {}

    /** Never 0, which {@link UserState} uses for "nothing sent yet". */
    static long of(Attributes attributes) {
        long sum = 0;
        for (int i = 0; i < attributes.size(); i++) {
            long h = fnv(0xcbf29ce484222325L, attributes.name(i));
            h = fnv(h ^ 0xff, attributes.taggedValue(i));
            // Summing mixed per-attribute hashes makes the result independent of order.
            sum += mix(h);
        }
        long result = mix(sum ^ attributes.size());
        return result == 0 ? 1 : result;
    }

    private static long fnv(long hash, String s) {
        long h = hash;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** MurmurHash3's 64-bit finalizer: spreads every input bit over the output. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
