package dev.cioforwarder.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * "Accepted is not applied": the operations of an acknowledged Track request, applied {@code
 * delayMs} after the answer, on a thread of their own.
 *
 * <p>Requests are applied whole, one after the other, in the order they were acknowledged (handed
 * to {@link #submit}, just before their answer is sent). Customer.io documents no more than that
 * accepted operations are processed asynchronously (its merge description warns that a merge sent
 * right after an identify may find no primary yet); it does not say that a later request can be
 * applied before an earlier acknowledged one. Were the simulator to reorder requests, a test could
 * not tell a forwarder bug (sending a later operation before an earlier one was acknowledged) from
 * the simulator's own chaos, so it keeps the one order a client can rely on: its own. Within one
 * {@code /api/v2/batch} request the operations are shuffled (by the caller, with a seed), which is
 * what a client that puts two operations of one person in one request must not depend on.
 */
final class DeferredApplier implements AutoCloseable {

    private record Pending(long sequence, long dueAtNanos, List<Runnable> effects) {}

    private final long delayNanos;
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Thread thread;
    private long acknowledged;
    private long applied;
    private boolean closed;

    DeferredApplier(Duration delay) {
        this.delayNanos = delay.toNanos();
        this.thread = new Thread(this::run, "customerio-simulator-applier");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one acknowledged request's effects, to be applied after the delay. */
    synchronized void submit(List<Runnable> effects) {
        if (effects.isEmpty()) {
            return;
        }
        acknowledged++;
        queue.addLast(new Pending(acknowledged, System.nanoTime() + delayNanos, effects));
        notifyAll();
    }

    /** Requests acknowledged and not applied yet. */
    synchronized long pending() {
        return acknowledged - applied;
    }

    /**
     * Waits until every request acknowledged before this call is applied.
     *
     * @return false when {@code timeout} passed first
     */
    synchronized boolean awaitApplied(Duration timeout) throws InterruptedException {
        long target = acknowledged;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (applied < target) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Drops what is not applied yet and runs {@code reset} while nothing is being applied (a reset
     * between tests must not be followed by a previous test's operations).
     */
    synchronized void discard(Runnable reset) {
        queue.clear();
        applied = acknowledged;
        reset.run();
        notifyAll();
    }

    private void run() {
        while (true) {
            synchronized (this) {
                try {
                    if (closed) {
                        return;
                    }
                    Pending next = queue.peekFirst();
                    if (next == null) {
                        wait();
                        continue;
                    }
                    long wait = next.dueAtNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, wait);
                        continue;
                    }
                    queue.pollFirst();
                    // Applied under the lock: awaitApplied and discard see a request whole or not
                    // at all.
                    for (Runnable effect : next.effects()) {
                        try {
                            effect.run();
                        } catch (RuntimeException e) {
                            // One broken operation must not stop the others, nor the applier.
                            System.err.println("simulator: applying an operation failed: " + e);
                        }
                    }
                    applied = next.sequence();
                    notifyAll();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
        thread.interrupt();
    }
}
