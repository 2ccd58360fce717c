package dev.cioforwarder.chaos;

import java.time.Duration;

/**
 * How long and how hard a scenario runs: batches are produced from {@code lead} before the fault
 * until the fault ends; a period fault lasts {@code fault}; 5xx bursts alternate {@code burstOn}
 * and {@code burstOff}.
 */
record Spans(
        String name,
        Duration lead,
        Duration fault,
        Duration burstOn,
        Duration burstOff,
        double batchesPerSecond,
        int users,
        int maxEventsPerBatch,
        Duration drainTimeout) {

    /** Short spans for {@code mvn verify} (ChaosITCase). */
    static Spans ci() {
        return new Spans(
                "ci",
                Duration.ofSeconds(4),
                Duration.ofSeconds(10),
                Duration.ofSeconds(4),
                Duration.ofSeconds(2),
                8,
                120,
                6,
                Duration.ofMinutes(4));
    }

    /** Realistic spans for scripts/chaos.sh: faults that last minutes. */
    static Spans realistic(double minutes, double batchesPerSecond) {
        return new Spans(
                "realistic",
                Duration.ofSeconds(20),
                Duration.ofMillis(Math.round(minutes * 60_000)),
                Duration.ofSeconds(20),
                Duration.ofSeconds(10),
                batchesPerSecond,
                400,
                8,
                Duration.ofMinutes(20));
    }

    String describe() {
        return String.format(
                "%s: %s s of batches before each fault, faults of %s s (5xx bursts %s s on, %s s"
                        + " off), %.0f batches/s over %d users (1-%d events each)",
                name,
                lead.toSeconds(),
                fault.toMillis() / 1000.0,
                burstOn.toSeconds(),
                burstOff.toSeconds(),
                batchesPerSecond,
                users,
                maxEventsPerBatch);
    }
}
