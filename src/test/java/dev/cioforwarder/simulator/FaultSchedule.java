package dev.cioforwarder.simulator;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which requests a fault hits, deterministically: a ratio r hits request n (counted per
 * fault since the faults were set) when {@code floor(n * r)} moves past {@code floor((n - 1) * r)},
 * so 0.5 hits every second request, 0.1 every tenth, and any test that sends at least {@code 1 / r}
 * requests sees the fault. Latency jitter comes from the request number and a seed, so a run can be
 * repeated exactly. Chance never decides whether a fault a test asserts on happened.
 */
final class FaultSchedule {

    private final long seed;
    private final AtomicLong status429 = new AtomicLong();
    private final AtomicLong dropConnection = new AtomicLong();
    private final AtomicLong timeout = new AtomicLong();
    private final AtomicLong status503 = new AtomicLong();
    private final AtomicLong status500 = new AtomicLong();
    private final AtomicLong jitter = new AtomicLong();

    FaultSchedule(long seed) {
        this.seed = seed;
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
