package dev.cioforwarder.state;

/**
 * How a user's operations wait while Customer.io has not taken them: a Flink POJO inside {@link
 * UserState#lane}, null while the user's operations flow straight to delivery. Upgrade rules as for
 * {@link UserState}: fields may only be added.
 *
 * <p>The waiting operations themselves are in the keyed map state {@code waiting-operations}
 * (RocksDB), by their sequence number. See {@code UserLane} for the protocol.
 */
public class DeliveryLane {

    /** A seal is on its way through delivery; nothing is released before it comes back. */
    public static final int SEALING = 1;

    /** Waiting until {@link #nextAttemptMs}, then the first waiting operation goes as a probe. */
    public static final int BACKOFF = 2;

    /** One operation ({@link #probeSeq}) is out; the rest wait for its answer. */
    public static final int PROBING = 3;

    /** The waiting operations are being released, in order, a chunk at a time. */
    public static final int DRAINING = 4;

    /** One of {@link #SEALING}, {@link #BACKOFF}, {@link #PROBING}, {@link #DRAINING}. */
    public int phase;

    /** How many operations wait in the map state. */
    public int waiting;

    /** When the user's operations started waiting (ms), for the oldest-wait metric. */
    public long heldSinceMs;

    /** Probes that were parked again: the exponent of the backoff. */
    public int attempts;

    /** {@link #BACKOFF}: when the next probe goes (ms). */
    public long nextAttemptMs;

    /** {@link #PROBING}: the sequence number of the operation that is out. */
    public long probeSeq = -1;

    /** {@link #SEALING}: the seal was sent back early (a restore settling); send it again then. */
    public long resealAtMs;

    /** When the lane entered its phase (ms): a safety net starts over a phase stuck too long. */
    public long phaseSinceMs;

    public DeliveryLane() {}

    public DeliveryLane copy() {
        DeliveryLane c = new DeliveryLane();
        c.phase = phase;
        c.waiting = waiting;
        c.heldSinceMs = heldSinceMs;
        c.attempts = attempts;
        c.nextAttemptMs = nextAttemptMs;
        c.probeSeq = probeSeq;
        c.resealAtMs = resealAtMs;
        c.phaseSinceMs = phaseSinceMs;
        return c;
    }

    @Override
    public String toString() {
        return "DeliveryLane{phase="
                + phase
                + ", waiting="
                + waiting
                + ", attempts="
                + attempts
                + (phase == PROBING ? ", probe=" + probeSeq : "")
                + '}';
    }
}
