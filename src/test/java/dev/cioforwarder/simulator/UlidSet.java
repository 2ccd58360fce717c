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
    private static final int INITIAL_SLOTS = 1024;

    /**
     * Two longs a slot; both 0 marks a free slot, so a lookup touches one array (one cache miss in
     * a table of millions), and the all-zero ULID is kept aside in {@link #hasZero}.
     */
    private long[] table = new long[2 * INITIAL_SLOTS];

    /** Occupied slots of {@link #table}. */
    private int size;

    private boolean hasZero;
    private final Set<String> others = new HashSet<>();

    void clear() {
        table = new long[2 * INITIAL_SLOTS];
        size = 0;
        hasZero = false;
        others.clear();
    }

    /** Adds the id; false when it was already there. */
    boolean add(String id) {
        if (id == null || id.length() != 26 || id.charAt(0) > '7') {
            return others.add(id);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 26; i++) {
            int v = TrackValidation.crockfordValue(id.charAt(i));
            if (v < 0) {
                return others.add(id);
            }
            high = (high << 5) | (low >>> 59);
            low = (low << 5) | v;
        }
        if (high == 0 && low == 0) {
            boolean added = !hasZero;
            hasZero = true;
            return added;
        }
        if ((size + 1) * 4 > table.length) {
            grow();
        }
        return insert(high, low);
    }

    private boolean insert(long high, long low) {
        int mask = table.length / 2 - 1;
        int slot = (int) (mix(high ^ low * 31) & mask);
        while (true) {
            long slotHigh = table[2 * slot];
            long slotLow = table[2 * slot + 1];
            if (slotHigh == 0 && slotLow == 0) {
                break;
            }
            if (slotHigh == high && slotLow == low) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        table[2 * slot] = high;
        table[2 * slot + 1] = low;
        size++;
        return true;
    }

    private void grow() {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 || old[i + 1] != 0) {
                insert(old[i], old[i + 1]);
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
        return size + (hasZero ? 1 : 0) + others.size();
    }
}
