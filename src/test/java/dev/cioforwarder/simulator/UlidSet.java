package dev.cioforwarder.simulator;

import java.util.HashSet;
import java.util.Set;

/**
 * The set of event ids seen, compact enough for tens of millions: a ULID is 128 bits, stored as two
 * longs in open-addressing tables (16 bytes an id instead of ~100 for a String in a HashSet). Ids
 * that are not ULIDs (invalid requests never get here, but be safe) go to a plain set. Not
 * thread-safe: {@link PeopleStore} guards it.
 *
 * <p>Ids are grouped by their time part, a quarter of a second a group, each group in a table of
 * its own. A ULID's time is its event's time, so the ids of one request, of events that happened
 * close together, fall into a few small tables that stay in the CPU's caches; in one table of
 * millions every id cost a cache and TLB miss, about a fifth of the simulator's CPU under a
 * benchmark's load. Should ids scatter over many times instead (groups of a handful of ids cost
 * more memory than the ids), they all go into one table from then on.
 */
final class UlidSet {

    /**
     * The bits of the id's upper half that name its group: the time part is its top 48 bits, in
     * milliseconds, so a group spans 2^8 ms.
     */
    private static final int GROUP_SHIFT = 16 + 8;

    /**
     * Past this many groups, ids that average fewer than {@link #MIN_IDS_PER_GROUP} a group are
     * scattered over time: they go into one table.
     */
    private static final int MANY_GROUPS = 4096;

    private static final int MIN_IDS_PER_GROUP = 16;

    /**
     * An open-addressing table of ULIDs, two longs a slot; both 0 marks a free slot, so a look-up
     * touches one array (the all-zero ULID is kept aside in {@link #hasZero}).
     */
    private static final class Table {
        private long[] slots;
        private int size;

        Table(int capacity) {
            slots = new long[2 * capacity];
        }

        /** Adds the non-zero id; false when it was already there. */
        boolean add(long high, long low) {
            if ((size + 1) * 4 > slots.length) {
                grow();
            }
            int mask = slots.length / 2 - 1;
            int slot = (int) (mix(high ^ low * 31) & mask);
            while (true) {
                long slotHigh = slots[2 * slot];
                long slotLow = slots[2 * slot + 1];
                if (slotHigh == 0 && slotLow == 0) {
                    break;
                }
                if (slotHigh == high && slotLow == low) {
                    return false;
                }
                slot = (slot + 1) & mask;
            }
            slots[2 * slot] = high;
            slots[2 * slot + 1] = low;
            size++;
            return true;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            size = 0;
            addAllTo(old, this);
        }

        void addAllTo(Table other) {
            addAllTo(slots, other);
        }

        private static void addAllTo(long[] slots, Table other) {
            for (int i = 0; i < slots.length; i += 2) {
                if (slots[i] != 0 || slots[i + 1] != 0) {
                    other.add(slots[i], slots[i + 1]);
                }
            }
        }
    }

    private static final int INITIAL_GROUP_SLOTS = 8;
    private static final int INITIAL_GROUPS = 64;

    /** The groups: an open-addressing map from group key to table (a null table: a free slot). */
    private long[] groupKeys;

    private Table[] groupTables;
    private int groups;

    /** False once ids turned out scattered over time: every id in the table of key 0. */
    private boolean grouped;

    private int size;
    private boolean hasZero;
    private final Set<String> others = new HashSet<>();

    UlidSet() {
        clear();
    }

    void clear() {
        groupKeys = new long[INITIAL_GROUPS];
        groupTables = new Table[INITIAL_GROUPS];
        groups = 0;
        grouped = true;
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
        boolean added = group(grouped ? high >>> GROUP_SHIFT : 0).add(high, low);
        if (added) {
            size++;
        }
        return added;
    }

    /** The group's table, created when it has none. */
    private Table group(long key) {
        int mask = groupKeys.length - 1;
        int slot = (int) (mix(key) & mask);
        while (groupTables[slot] != null) {
            if (groupKeys[slot] == key) {
                return groupTables[slot];
            }
            slot = (slot + 1) & mask;
        }
        if (grouped && groups >= MANY_GROUPS && size < groups * MIN_IDS_PER_GROUP) {
            ungroup();
            return group(0);
        }
        if ((groups + 1) * 2 > groupKeys.length) {
            growGroups();
            return group(key);
        }
        Table table = new Table(INITIAL_GROUP_SLOTS);
        groupKeys[slot] = key;
        groupTables[slot] = table;
        groups++;
        return table;
    }

    private void growGroups() {
        long[] oldKeys = groupKeys;
        Table[] oldTables = groupTables;
        groupKeys = new long[oldKeys.length * 2];
        groupTables = new Table[oldTables.length * 2];
        int mask = groupKeys.length - 1;
        for (int i = 0; i < oldTables.length; i++) {
            if (oldTables[i] != null) {
                int slot = (int) (mix(oldKeys[i]) & mask);
                while (groupTables[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                groupKeys[slot] = oldKeys[i];
                groupTables[slot] = oldTables[i];
            }
        }
    }

    /** Moves every id into one table, the one every id goes to from now on. */
    private void ungroup() {
        Table all = new Table(Integer.highestOneBit(Math.max(size, 1)) * 4);
        for (Table table : groupTables) {
            if (table != null) {
                table.addAllTo(all);
            }
        }
        groupKeys = new long[INITIAL_GROUPS];
        groupTables = new Table[INITIAL_GROUPS];
        groupKeys[(int) (mix(0) & (INITIAL_GROUPS - 1))] = 0;
        groupTables[(int) (mix(0) & (INITIAL_GROUPS - 1))] = all;
        groups = 1;
        grouped = false;
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
