package dev.cioforwarder.job;

/**
 * Fails the job before a Kafka transaction of its exactly-once sinks can outlive the broker's
 * {@code transaction.timeout.ms}. A sink's transaction commits when the checkpoint after it
 * completes; if none completes for longer than the timeout (the checkpoint storage unwritable for a
 * quarter of an hour, say), the broker aborts the transaction and the commit that follows fails and
 * is dropped: dead letters, erasure outcomes and waiting operations in it would be lost while the
 * job looked healthy. Failing first makes the job restart from its last checkpoint, which still
 * holds everything those transactions held, and produce it again.
 *
 * <p>A Customer.io outage does not stop checkpoints (delivery parks what it cannot send), so this
 * only fires when checkpoints themselves fail.
 */
final class CheckpointProgressGuard {

    private final long limitMs;
    private long lastProgressMs;

    /**
     * @param limitMs how long without a completed checkpoint is allowed; 0 or less: never fail
     */
    CheckpointProgressGuard(long limitMs, long nowMs) {
        this.limitMs = limitMs;
        this.lastProgressMs = nowMs;
    }

    /**
     * The limit for a transaction timeout and a checkpoint timeout: the oldest open transaction
     * began at most one checkpoint timeout before the last completed checkpoint's end, and some
     * room is kept for the restart itself.
     */
    static long limitFor(long transactionTimeoutMs, long checkpointTimeoutMs) {
        long margin = Math.min(60_000, transactionTimeoutMs / 10);
        return transactionTimeoutMs - checkpointTimeoutMs - margin;
    }

    void checkpointCompleted(long nowMs) {
        lastProgressMs = nowMs;
    }

    /** How long since the last completed checkpoint (or the start), in ms. */
    long sinceProgressMs(long nowMs) {
        return nowMs - lastProgressMs;
    }

    /** Throws when no checkpoint completed for longer than the limit. */
    void check(long nowMs) {
        if (limitMs > 0 && nowMs - lastProgressMs > limitMs) {
            throw new CheckpointsStalledException(
                    "No checkpoint completed for "
                            + (nowMs - lastProgressMs) / 1000
                            + " s: failing before the dead-letter, erasure-outcome and feedback"
                            + " sinks' Kafka transactions reach transaction.timeout.ms (the"
                            + " broker would abort them and their records would be lost). The job"
                            + " restarts from its last checkpoint and writes them again. Fix what"
                            + " makes checkpoints fail (see the checkpoint history in the Flink"
                            + " UI).");
        }
    }

    /** Why the job failed on purpose. */
    static final class CheckpointsStalledException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CheckpointsStalledException(String message) {
            super(message);
        }
    }
}
