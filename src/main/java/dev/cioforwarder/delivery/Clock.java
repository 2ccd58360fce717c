package dev.cioforwarder.delivery;

/** The one time source of delivery, so tests can drive retries and rate limits by hand. */
@FunctionalInterface
public interface Clock {
    long nowMs();

    static Clock system() {
        return System::currentTimeMillis;
    }
}
