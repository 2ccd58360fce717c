package dev.cioforwarder.simulator;

/**
 * Latencies in ms, bucketed per millisecond up to a minute and per second beyond, so percentiles
 * over millions of events cost a fixed few kilobytes. Not thread-safe: {@link PeopleStore} guards
 * it.
 */
final class LatencyHistogram {
    private static final int FINE = 60_000;
    private static final int COARSE = 3_600;
    private final long[] fine = new long[FINE];
    private final long[] coarse = new long[COARSE + 1];
    private long count;
    private long max;

    void record(long ms) {
        long v = Math.max(0, ms);
        if (v < FINE) {
            fine[(int) v]++;
        } else {
            coarse[(int) Math.min(COARSE, v / 1000)]++;
        }
        count++;
        max = Math.max(max, v);
    }

    void clear() {
        java.util.Arrays.fill(fine, 0);
        java.util.Arrays.fill(coarse, 0);
        count = 0;
        max = 0;
    }

    long percentile(double p) {
        if (count == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * count);
        long seen = 0;
        for (int i = 0; i < FINE; i++) {
            seen += fine[i];
            if (seen >= rank) {
                return i;
            }
        }
        for (int i = 0; i <= COARSE; i++) {
            seen += coarse[i];
            if (seen >= rank) {
                return i * 1000L;
            }
        }
        return max;
    }

    Summary.LatencyProbe summary() {
        return new Summary.LatencyProbe(count, percentile(0.50), percentile(0.99), max);
    }
}
