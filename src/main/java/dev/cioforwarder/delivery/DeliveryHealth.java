package dev.cioforwarder.delivery;

/**
 * Whether Customer.io can be reached right now, as one parallel instance sees it: a circuit
 * breaker. Once every attempt has failed transiently for a while (or the key was refused), sending
 * more is pointless: operations then leave delivery at once and wait in their users' state, and one
 * trial request goes out per trial interval until one gets through. That is what keeps the AsyncIO
 * slots free, and so checkpoints flowing, during an outage of any length.
 *
 * <p>A 429 does not open it: throttling is the rate limiter's business. Thread-safe (Netty, timer
 * and task threads report to it).
 */
public final class DeliveryHealth {

    /** Why operations wait while it is open. */
    public static final String UNAVAILABLE = "customerio_unavailable";

    public static final String UNAUTHORIZED = "unauthorized";

    private final long openAfterMs;
    private final long trialIntervalMs;
    private final long authTrialIntervalMs;

    private long streakStartMs = -1;
    private int streakFailures;
    private boolean open;
    private String reason;
    private long nextTrialMs;

    /**
     * @param openAfterMs transient failures without a single answer for this long open it
     * @param trialIntervalMs while open, one request is let through this often
     * @param authTrialIntervalMs the same after a refused key (customerio.auth-retry-interval)
     */
    public DeliveryHealth(long openAfterMs, long trialIntervalMs, long authTrialIntervalMs) {
        this.openAfterMs = openAfterMs;
        this.trialIntervalMs = trialIntervalMs;
        this.authTrialIntervalMs = authTrialIntervalMs;
    }

    /** Customer.io answered (anything but a transient failure or a refused key). */
    public synchronized void answered() {
        streakStartMs = -1;
        streakFailures = 0;
        open = false;
        reason = null;
    }

    /** A 5xx, 408, network error or timeout. */
    public synchronized void transientFailure(long nowMs) {
        if (streakStartMs < 0) {
            streakStartMs = nowMs;
        }
        streakFailures++;
        if (!open && streakFailures >= 3 && nowMs - streakStartMs >= openAfterMs) {
            open = true;
            reason = UNAVAILABLE;
            nextTrialMs = nowMs + trialIntervalMs;
        } else if (open) {
            nextTrialMs = Math.max(nextTrialMs, nowMs + trialIntervalMs);
        }
    }

    /** 401 or 403: every request would get it until the key is fixed. */
    public synchronized void unauthorized(long nowMs) {
        open = true;
        reason = UNAUTHORIZED;
        nextTrialMs = nowMs + authTrialIntervalMs;
    }

    /**
     * Whether a request may be sent now: always while closed; while open, only the one that takes
     * the next trial.
     */
    public synchronized boolean mayAttempt(long nowMs) {
        if (!open) {
            return true;
        }
        if (nowMs >= nextTrialMs) {
            nextTrialMs =
                    nowMs + (UNAUTHORIZED.equals(reason) ? authTrialIntervalMs : trialIntervalMs);
            return true;
        }
        return false;
    }

    public synchronized boolean isOpen() {
        return open;
    }

    /** Why operations wait while open ({@link #UNAVAILABLE}, {@link #UNAUTHORIZED}). */
    public synchronized String reason() {
        return open ? reason : null;
    }
}
