package dev.cioforwarder.job;

/**
 * The longest a waiting user has waited, sampled whenever a waiting user is touched (a retry timer
 * fires at least every maximum backoff): the larger of this minute's and the last.
 */
final class OldestWait {
    private static final long WINDOW_MS = 60_000;
    private long windowStartMs;
    private volatile long current;
    private volatile long previous;

    void sample(long waitedMs, long nowMs) {
        if (nowMs - windowStartMs >= WINDOW_MS) {
            previous = current;
            current = 0;
            windowStartMs = nowMs;
        }
        if (waitedMs > current) {
            current = waitedMs;
        }
    }

    long value(long nowMs) {
        if (nowMs - windowStartMs >= 2 * WINDOW_MS) {
            return 0;
        }
        return Math.max(current, previous);
    }
}
