package dev.cioforwarder.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds; fails with a message that says what was last seen. */
public final class Await {

    private Await() {}

    public static void until(
            Duration timeout, BooleanSupplier condition, Supplier<String> whatWasSeen)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(200);
        }
        if (!condition.getAsBoolean()) {
            throw new AssertionError(
                    "condition not met within " + timeout + "; last seen: " + whatWasSeen.get());
        }
    }
}
