package dev.cioforwarder.lanes;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.state.DeliveryLane;
import dev.cioforwarder.state.UserState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one user's operations in order while Customer.io does not take them, in the user's keyed
 * state (RocksDB), so that nothing waits in delivery and checkpoints flow through an outage of any
 * length. Plain Java: the Flink function calls it with the user's state and their waiting
 * operations.
 *
 * <p>Normally a user's operations go straight to delivery ({@link UserState#lane} is null), each
 * stamped with a sequence number and the user's episode. Delivery parks an operation it could not
 * deliver in time (and every later one of that user it sees) and sends it back through the feedback
 * topic. Then:
 *
 * <ol>
 *   <li><b>Take over</b>: the first parked operation of the episode starts a new episode: the
 *       user's operations wait from now on (the new ones, and every parked one as it comes back, by
 *       sequence number), and a <em>seal</em> goes through delivery in the user's order.
 *   <li><b>Seal</b>: it comes back once every operation of the user delivery held before it has
 *       been settled or parked, so nothing older can still arrive; it also lifts delivery's mark on
 *       the user.
 *   <li><b>Probe</b>: after a backoff, the first waiting operation goes alone. Parked again: a
 *       longer backoff. Settled: the rest is released in order, a chunk at a time, and the user's
 *       operations flow straight again once none waits.
 * </ol>
 *
 * <p>Operations that must be confirmed before anything after them is sent (an attach, an identifier
 * change, a deletion) use the same path: the lane is held while one is out, as for a probe.
 */
public final class UserLane {

    /** What the lane does to the world. */
    public interface Output {
        /** Hands an operation (or a seal) to delivery. */
        void send(CustomerioOperation op);

        /** Dead-letters a waiting operation (its state effects are undone by the caller). */
        void deadLetter(CustomerioOperation op, DeadLetterReason reason, String detail);

        /** Calls {@link #timer} for the user at this time. */
        void timerAt(long timeMs);
    }

    /** How many operations one release hands to delivery before it lets the task breathe. */
    static final int RELEASE_CHUNK = 500;

    /** How soon a seal sent back before a restore settled goes again. */
    static final long RESEAL_DELAY_MS = 1_000;

    /** A seal or probe without an answer this long is sent again (a safety net). */
    static final long STUCK_AFTER_MS = 30 * 60 * 1000;

    private static final Logger LOG = LoggerFactory.getLogger(UserLane.class);

    private final RetryPolicy policy;
    private final long firstBackoffMs;

    /**
     * @param policy the backoff between probes (its exponential bound, full jitter) and the maximum
     *     retry duration
     * @param firstBackoffMs the wait before the first probe of an episode
     */
    public UserLane(RetryPolicy policy, long firstBackoffMs) {
        this.policy = policy;
        this.firstBackoffMs = firstBackoffMs;
    }

    /**
     * An operation the rules produced for the user: stamped, then sent, or kept waiting behind the
     * user's waiting ones.
     *
     * @param sequenced whether the state of the user is kept (a user without stored state sends
     *     only anonymous events, whose order does not matter)
     * @param atCapacity the parallel instance holds as many waiting operations as it may: an
     *     operation that would wait is dead-lettered instead
     */
    public void emit(
            UserState state,
            CustomerioOperation op,
            boolean sequenced,
            boolean atCapacity,
            WaitingOperations waiting,
            Output out,
            long nowMs) {
        if (sequenced) {
            op.seq = state.nextOperationSeq++;
            op.episode = state.deliveryEpisode;
            state.lastEmittedMs = nowMs;
        }
        DeliveryLane lane = state.lane;
        if (lane == null) {
            if (op.confirmRequired && sequenced) {
                op.ackRequested = true;
                lane = hold(state, nowMs);
                enter(lane, DeliveryLane.PROBING, nowMs, out);
                lane.probeSeq = op.seq;
                // Kept until it is settled: sent again should its answer never come.
                waiting.add(op);
                lane.waiting++;
            }
            out.send(op);
            return;
        }
        if (atCapacity) {
            out.deadLetter(
                    op,
                    DeadLetterReason.WAITING_CAPACITY_EXCEEDED,
                    "the user's operations wait for Customer.io and this parallel instance already"
                            + " holds delivery.waiting-capacity waiting operations");
            return;
        }
        if (waiting.add(op)) {
            lane.waiting++;
        }
    }

    /** Delivery parked one of the user's operations (or sent a seal back early). */
    public void parked(
            UserState state,
            CustomerioOperation op,
            WaitingOperations waiting,
            Output out,
            long nowMs) {
        DeliveryLane lane = state.lane;
        if (op.kind == OperationKind.SEAL) {
            if (lane != null
                    && lane.phase == DeliveryLane.SEALING
                    && op.episode == state.deliveryEpisode) {
                lane.resealAtMs = nowMs + RESEAL_DELAY_MS;
                out.timerAt(lane.resealAtMs);
            }
            return;
        }
        boolean isProbe =
                lane != null
                        && lane.phase == DeliveryLane.PROBING
                        && op.seq == lane.probeSeq
                        && op.episode == state.deliveryEpisode;
        if (op.seq != CustomerioOperation.UNSEQUENCED && op.seq < state.erasedBeforeSeq) {
            // Of a person erased since: nothing of theirs goes out any more.
            if (isProbe) {
                waiting.remove(op.seq);
                lane.waiting--;
                state.deliveryEpisode++;
                backoff(state, nowMs, out);
            }
            return;
        }
        if (op.seq == CustomerioOperation.UNSEQUENCED) {
            // An anonymous event of a user without state: from now on the user has an order.
            op.seq = state.nextOperationSeq++;
        }
        boolean takeOver = lane == null;
        if (takeOver) {
            lane = hold(state, nowMs);
        }
        if (waiting.add(op)) {
            lane.waiting++;
        } else {
            // Back again (the probe): its waits count.
            waiting.replace(op);
        }
        if (isProbe) {
            // Nothing else of the user was out: no seal needed. The next probe belongs to a new
            // episode, which lifts the mark delivery set on the user when it parked this one.
            state.deliveryEpisode++;
            lane.attempts++;
            backoff(state, nowMs, out);
        } else if (takeOver
                || ((lane.phase == DeliveryLane.PROBING || lane.phase == DeliveryLane.DRAINING)
                        && op.episode == state.deliveryEpisode)) {
            // Taken over, or released operations came back: others of the episode may still be
            // out. Nothing is released before the seal comes back behind them.
            newEpisode(state, op, nowMs, out);
        }
        // Otherwise (sealing, backing off, or from an episode before): it only takes its place.
    }

    /** A seal came back through delivery. */
    public void sealed(
            UserState state,
            CustomerioOperation seal,
            WaitingOperations waiting,
            Output out,
            long nowMs) {
        DeliveryLane lane = state.lane;
        if (lane == null
                || lane.phase != DeliveryLane.SEALING
                || seal.episode != state.deliveryEpisode) {
            return;
        }
        if (nowMs >= lane.nextAttemptMs) {
            probe(state, waiting, out, nowMs);
        } else {
            lane.phase = DeliveryLane.BACKOFF;
            out.timerAt(lane.nextAttemptMs);
        }
    }

    /** An operation that asked for an answer is settled (accepted or refused). */
    public void settled(
            UserState state,
            CustomerioOperation op,
            WaitingOperations waiting,
            Output out,
            long nowMs) {
        DeliveryLane lane = state.lane;
        if (lane == null
                || lane.phase != DeliveryLane.PROBING
                || op.seq != lane.probeSeq
                || op.episode != state.deliveryEpisode) {
            return;
        }
        waiting.remove(op.seq);
        lane.waiting--;
        lane.attempts = 0;
        lane.probeSeq = -1;
        enter(lane, DeliveryLane.DRAINING, nowMs, out);
        drain(state, waiting, out, nowMs);
    }

    /** A timer of the user fired. */
    public void timer(UserState state, WaitingOperations waiting, Output out, long nowMs) {
        DeliveryLane lane = state.lane;
        if (lane == null) {
            return;
        }
        switch (lane.phase) {
            case DeliveryLane.BACKOFF:
                if (nowMs >= lane.nextAttemptMs) {
                    probe(state, waiting, out, nowMs);
                }
                return;
            case DeliveryLane.DRAINING:
                drain(state, waiting, out, nowMs);
                return;
            case DeliveryLane.SEALING:
                if (lane.resealAtMs > 0 && nowMs >= lane.resealAtMs) {
                    lane.resealAtMs = 0;
                    out.send(seal(state));
                } else if (nowMs - lane.phaseSinceMs >= STUCK_AFTER_MS) {
                    stuck(state, out, nowMs);
                }
                return;
            case DeliveryLane.PROBING:
                if (nowMs - lane.phaseSinceMs >= STUCK_AFTER_MS) {
                    stuck(state, out, nowMs);
                }
                return;
            default:
        }
    }

    /**
     * Takes the user's order over without a parked operation: after a rescale, operations of the
     * user sent shortly before the checkpoint may come back from another subtask; the seal makes
     * sure they do before anything newer goes.
     */
    public void takeOver(UserState state, Output out, long nowMs) {
        if (state.lane != null) {
            return;
        }
        hold(state, nowMs);
        newEpisode(state, null, nowMs, out);
    }

    /**
     * The user was erased: what waits belonged to the person deleted; operations before {@code
     * state.nextOperationSeq} that come back are dropped. Returns how many were dropped.
     */
    public int erase(UserState state, WaitingOperations waiting) {
        state.erasedBeforeSeq = state.nextOperationSeq;
        DeliveryLane lane = state.lane;
        if (lane == null) {
            return 0;
        }
        int dropped = lane.waiting;
        waiting.clear();
        lane.waiting = 0;
        return dropped;
    }

    private static DeliveryLane hold(UserState state, long nowMs) {
        DeliveryLane lane = new DeliveryLane();
        lane.heldSinceMs = nowMs;
        state.lane = lane;
        return lane;
    }

    /**
     * Enters a phase that waits for an answer from delivery; a timer checks that the answer came (a
     * safety net: a lane must never wait for ever).
     */
    private static void enter(DeliveryLane lane, int phase, long nowMs, Output out) {
        lane.phase = phase;
        lane.phaseSinceMs = nowMs;
        if (phase == DeliveryLane.SEALING || phase == DeliveryLane.PROBING) {
            out.timerAt(nowMs + STUCK_AFTER_MS);
        }
    }

    /**
     * No answer to a seal or probe for {@link #STUCK_AFTER_MS}: starts over. Harmless if the answer
     * was only late (an older episode's answers are ignored; a probe is sent again, and Customer.io
     * ignores the repeated event, or applies the same identify again).
     */
    private void stuck(UserState state, Output out, long nowMs) {
        LOG.warn(
                "A user's operations waited {} ms for an answer from delivery; starting over",
                nowMs - state.lane.phaseSinceMs);
        newEpisode(state, null, nowMs, out);
    }

    private void newEpisode(UserState state, CustomerioOperation parked, long nowMs, Output out) {
        DeliveryLane lane = state.lane;
        state.deliveryEpisode++;
        enter(lane, DeliveryLane.SEALING, nowMs, out);
        lane.probeSeq = -1;
        lane.resealAtMs = 0;
        int waits = parked == null ? 0 : parked.waits;
        lane.nextAttemptMs = nowMs + backoffMs(Math.max(lane.attempts, waits - 1));
        out.send(seal(state));
    }

    /** A seal of the user's current episode; the caller fills in the user. */
    private static CustomerioOperation seal(UserState state) {
        CustomerioOperation seal = new CustomerioOperation();
        seal.kind = OperationKind.SEAL;
        seal.episode = state.deliveryEpisode;
        seal.body = new byte[0];
        return seal;
    }

    private void backoff(UserState state, long nowMs, Output out) {
        DeliveryLane lane = state.lane;
        lane.phase = DeliveryLane.BACKOFF;
        lane.phaseSinceMs = nowMs;
        lane.probeSeq = -1;
        lane.nextAttemptMs = nowMs + backoffMs(lane.attempts);
        out.timerAt(lane.nextAttemptMs);
    }

    /** The wait before the next probe: exponential from the first backoff, full jitter. */
    long backoffMs(int attempts) {
        long bound = Math.min(policy.maxBackoffMs(), firstBackoffMs << Math.min(attempts, 20));
        bound = Math.max(bound, firstBackoffMs);
        // Jitter within the upper half: users parked together do not probe together.
        return bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1);
    }

    private void probe(UserState state, WaitingOperations waiting, Output out, long nowMs) {
        DeliveryLane lane = state.lane;
        expire(state, waiting, out, nowMs);
        CustomerioOperation first = waiting.first();
        if (first == null) {
            state.lane = null;
            return;
        }
        // The probe stays among the waiting until it is settled: sent again if it got lost.
        first.ackRequested = true;
        first.episode = state.deliveryEpisode;
        enter(lane, DeliveryLane.PROBING, nowMs, out);
        lane.probeSeq = first.seq;
        out.send(first);
    }

    private void drain(UserState state, WaitingOperations waiting, Output out, long nowMs) {
        DeliveryLane lane = state.lane;
        for (int n = 0; n < RELEASE_CHUNK; n++) {
            CustomerioOperation first = waiting.first();
            if (first == null) {
                state.lane = null;
                return;
            }
            first.episode = state.deliveryEpisode;
            first.ackRequested = first.confirmRequired;
            if (first.confirmRequired) {
                // Kept until settled, like a probe; nothing after it goes before its answer.
                enter(lane, DeliveryLane.PROBING, nowMs, out);
                lane.probeSeq = first.seq;
                out.send(first);
                return;
            }
            waiting.remove(first.seq);
            lane.waiting--;
            out.send(first);
        }
        if (lane.waiting <= 0 && waiting.first() == null) {
            state.lane = null;
            return;
        }
        // More next time: between chunks the task takes checkpoint barriers and other users.
        out.timerAt(nowMs + 1);
    }

    /** Dead-letters waiting operations past customerio.max-retry-duration. */
    private void expire(UserState state, WaitingOperations waiting, Output out, long nowMs) {
        if (!policy.hasMaxRetryDuration()) {
            return;
        }
        DeliveryLane lane = state.lane;
        List<CustomerioOperation> expired = new ArrayList<>();
        for (CustomerioOperation op : waiting.inOrder()) {
            long since = op.firstAttemptMs > 0 ? op.firstAttemptMs : lane.heldSinceMs;
            if (nowMs - since >= policy.maxRetryDurationMs()) {
                expired.add(op);
            }
        }
        for (CustomerioOperation op : expired) {
            waiting.remove(op.seq);
            lane.waiting--;
            out.deadLetter(
                    op,
                    DeadLetterReason.RETRY_DURATION_EXCEEDED,
                    "not delivered within customerio.max-retry-duration; it waited for"
                            + " Customer.io in the user's state");
        }
    }
}
