package dev.cioforwarder.simulator;

import java.util.HashSet;
import java.util.Set;

/**
 * The set of event ids seen, compact enough for tens of millions: a ULID is 128 bits, stored as two
 * longs in an open-addressing table (16 bytes an id instead of ~100 for a String in a HashSet). Ids
 * that are not ULIDs (invalid requests never get here, but be safe) go to a plain set. Not
 * thread-safe: {@link PeopleStore} guards it.
 */
final class UlidSet {
    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private long[] table = new long[2 * 1024];
    private boolean[] used = new boolean[1024];
    private int size;
    private final Set<String> others = new HashSet<>();

    void clear() {
        table = new long[2 * 1024];
        used = new boolean[1024];
        size = 0;
        others.clear();
    }

    /** Adds the id; false when it was already there. */
    boolean add(String id) {
        if (!TrackValidation.isUlid(id)) {
            return others.add(id);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 26; i++) {
            int v = CROCKFORD.indexOf(id.charAt(i));
            high = (high << 5) | (low >>> 59);
            low = (low << 5) | v;
        }
        if ((size + 1) * 2 > used.length) {
            grow();
        }
        return insert(high, low);
    }

    private boolean insert(long high, long low) {
        int mask = used.length - 1;
        int slot = (int) (mix(high ^ low * 31) & mask);
        while (used[slot]) {
            if (table[2 * slot] == high && table[2 * slot + 1] == low) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        used[slot] = true;
        table[2 * slot] = high;
        table[2 * slot + 1] = low;
        size++;
        return true;
    }

    private void grow() {
        long[] oldTable = table;
        boolean[] oldUsed = used;
        table = new long[oldTable.length * 2];
        used = new boolean[oldUsed.length * 2];
        size = 0;
        for (int i = 0; i < oldUsed.length; i++) {
            if (oldUsed[i]) {
                insert(oldTable[2 * i], oldTable[2 * i + 1]);
            }
        }
    }

    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        return k;
    }

    int size() {
        return size + others.size();
    }
}
