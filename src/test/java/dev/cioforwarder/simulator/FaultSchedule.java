package dev.cioforwarder.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Decides which requests a fault hits, deterministically: a ratio r hits request n (counted per
 * fault since the faults were set) when {@code floor(n * r)} moves past {@code floor((n - 1) * r)},
 * so 0.5 hits every second request, 0.1 every tenth, and any test that sends at least {@code 1 / r}
 * requests sees the fault. Latency jitter comes from the request number and a seed, so a run can be
 * repeated exactly. Chance never decides whether a fault a test asserts on happened. Rules with a
 * {@code times} limit count their hits here too, and heal when they reach it. Holds the faults it
 * decides for, so a request never sees one set's faults with another set's counters.
 */
final class FaultSchedule {

    private final Faults faults;
    private final long seed;
    // Copies: the rules a test changes after setting them would no longer fit the counters.
    private final List<Refusal> refusals;
    private final AtomicLongArray refusalHits;
    private final List<PathStatus> pathStatuses;
    private final AtomicLongArray pathStatusHits;
    private final AtomicLong status429 = new AtomicLong();
    private final AtomicLong dropConnection = new AtomicLong();
    private final AtomicLong timeout = new AtomicLong();
    private final AtomicLong status503 = new AtomicLong();
    private final AtomicLong status500 = new AtomicLong();
    private final AtomicLong jitter = new AtomicLong();

    FaultSchedule(Faults faults) {
        this.faults = faults;
        this.seed = faults.seed;
        this.refusals = List.copyOf(faults.refusals);
        this.refusalHits = new AtomicLongArray(refusals.size());
        this.pathStatuses = List.copyOf(faults.pathStatuses);
        this.pathStatusHits = new AtomicLongArray(pathStatuses.size());
    }

    Faults faults() {
        return faults;
    }

    /**
     * The first refusal rule, in list order, that refuses this way ({@code alone}: the operation
     * with a 400; else the whole request), matches the operation and has not healed; counted as a
     * hit. -1 when none.
     */
    int refusal(TrackOperation op, boolean alone) {
        for (int i = 0; i < refusals.size(); i++) {
            Refusal rule = refusals.get(i);
            if (rule.refusesAlone() == alone
                    && rule.matches(op)
                    && take(refusalHits, i, rule.times)) {
                return i;
            }
        }
        return -1;
    }

    boolean hasRefusals() {
        return !refusals.isEmpty();
    }

    /** The i-th refusal rule as it was when the faults were set. */
    Refusal refusalAt(int i) {
        return refusals.get(i);
    }

    /**
     * The first path status rule that matches the request and has not healed, counted as a hit; -1
     * when none.
     */
    int pathStatus(String method, String rawPath) {
        for (int i = 0; i < pathStatuses.size(); i++) {
            PathStatus rule = pathStatuses.get(i);
            if (rule.matches(method, rawPath) && take(pathStatusHits, i, rule.times)) {
                return i;
            }
        }
        return -1;
    }

    /** The i-th path status rule as it was when the faults were set. */
    PathStatus pathStatusAt(int i) {
        return pathStatuses.get(i);
    }

    /** How often each rule hit since the faults were set, in the order of the rules. */
    FaultHits hits() {
        return new FaultHits(counts(refusalHits), counts(pathStatusHits));
    }

    /** One more hit for rule i, unless it already hit {@code times} times (0: no limit). */
    private static boolean take(AtomicLongArray hits, int i, int times) {
        while (true) {
            long n = hits.get(i);
            if (times > 0 && n >= times) {
                return false;
            }
            if (hits.compareAndSet(i, n, n + 1)) {
                return true;
            }
        }
    }

    private static List<Long> counts(AtomicLongArray hits) {
        List<Long> out = new ArrayList<>(hits.length());
        for (int i = 0; i < hits.length(); i++) {
            out.add(hits.get(i));
        }
        return out;
    }

    boolean status429(double ratio) {
        return hits(ratio, status429);
    }

    boolean dropConnection(double ratio) {
        return hits(ratio, dropConnection);
    }

    boolean timeout(double ratio) {
        return hits(ratio, timeout);
    }

    boolean status503(double ratio) {
        return hits(ratio, status503);
    }

    boolean status500(double ratio) {
        return hits(ratio, status500);
    }

    /** Extra latency in {@code [0, maxMs]}, a function of the seed and the request number. */
    long jitterMs(long maxMs) {
        if (maxMs <= 0) {
            return 0;
        }
        long n = jitter.incrementAndGet();
        return Math.floorMod(mix(seed ^ (n * 0x9E3779B97F4A7C15L)), maxMs + 1);
    }

    static boolean hits(double ratio, AtomicLong counter) {
        if (ratio <= 0) {
            return false;
        }
        if (ratio >= 1) {
            return true;
        }
        long n = counter.incrementAndGet();
        return (long) Math.floor(n * ratio) > (long) Math.floor((n - 1) * ratio);
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
