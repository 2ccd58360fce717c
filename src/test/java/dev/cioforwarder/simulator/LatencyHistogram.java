package dev.cioforwarder.simulator;

/**
 * Latencies in ms, bucketed per millisecond up to a minute and per second beyond, so percentiles
 * over millions of events cost a fixed few kilobytes. Also the count and the highest latency of
 * each second of arrival over the last hour, so a tail can be lined up with what happened then (a
 * checkpoint, a collection). Not thread-safe: {@link PeopleStore} guards it.
 */
final class LatencyHistogram {
    private static final int FINE = 60_000;
    private static final int COARSE = 3_600;
    private final long[] fine = new long[FINE];
    private final long[] coarse = new long[COARSE + 1];
    private static final int SECONDS_KEPT = 3_600;
    private final long[] secondOf = new long[SECONDS_KEPT];
    private final long[] countInSecond = new long[SECONDS_KEPT];
    private final long[] maxInSecond = new long[SECONDS_KEPT];
    private long count;
    private long max;

    void record(long ms) {
        record(ms, System.currentTimeMillis());
    }

    /** Records an event that arrived at {@code arrivedAtMs} (epoch ms) {@code ms} after it left. */
    void record(long ms, long arrivedAtMs) {
        long v = Math.max(0, ms);
        if (v < FINE) {
            fine[(int) v]++;
        } else {
            coarse[(int) Math.min(COARSE, v / 1000)]++;
        }
        count++;
        max = Math.max(max, v);
        long second = arrivedAtMs / 1000;
        int slot = (int) Math.floorMod(second, (long) SECONDS_KEPT);
        if (secondOf[slot] != second) {
            secondOf[slot] = second;
            countInSecond[slot] = 0;
            maxInSecond[slot] = 0;
        }
        countInSecond[slot]++;
        maxInSecond[slot] = Math.max(maxInSecond[slot], v);
    }

    void clear() {
        java.util.Arrays.fill(fine, 0);
        java.util.Arrays.fill(coarse, 0);
        java.util.Arrays.fill(secondOf, 0);
        java.util.Arrays.fill(countInSecond, 0);
        java.util.Arrays.fill(maxInSecond, 0);
        count = 0;
        max = 0;
    }

    /**
     * The seconds of arrival of the last hour that saw events, oldest first: each as {@code [epoch
     * second, events, highest latency in ms]}.
     */
    java.util.List<long[]> bySecond() {
        java.util.List<long[]> seconds = new java.util.ArrayList<>();
        for (int i = 0; i < SECONDS_KEPT; i++) {
            if (countInSecond[i] > 0) {
                seconds.add(new long[] {secondOf[i], countInSecond[i], maxInSecond[i]});
            }
        }
        seconds.sort(java.util.Comparator.comparingLong(s -> s[0]));
        return seconds;
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
