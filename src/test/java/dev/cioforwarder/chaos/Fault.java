package dev.cioforwarder.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The faults of the suite, one scenario each, in the order the suite runs them: Customer.io
 * misbehaving, checkpoint storage, then the crashes. What each injects is in {@link ChaosDriver}.
 */
enum Fault {
    THROTTLED_WITH_RETRY_AFTER(
            "429-retry-after",
            Kind.PERIOD,
            "a 429 storm: 95 % of requests answered 429 with Retry-After: 3 for the span"),
    THROTTLED_WITHOUT_RETRY_AFTER(
            "429-no-retry-after",
            Kind.PERIOD,
            "a 429 storm: 95 % of requests answered 429 without Retry-After for the span"),
    SERVER_ERRORS(
            "5xx-bursts",
            Kind.PERIOD,
            "bursts of 500 and 503 (every request, half each) with quiet gaps, for the span"),
    LATENCY(
            "latency-timeouts",
            Kind.PERIOD,
            "every answer 3-4 s late, past the job's 2 s request timeout (Customer.io still"
                    + " applies the request: the retry is a duplicate on the wire)"),
    CONNECTION_RESETS(
            "connection-resets",
            Kind.PERIOD,
            "half the requests' connections closed without an answer, for the span"),
    UNAUTHORIZED(
            "401-unauthorized",
            Kind.PERIOD,
            "every request refused with 401 (a revoked key) for the span; the job retries every"
                    + " customerio.auth-retry-interval (5 s here)"),
    CHECKPOINT_STORAGE(
            "checkpoint-storage",
            Kind.PERIOD,
            "the job's checkpoint directory moved away and a regular file put in its place (root"
                    + " ignores chmod) for the span: checkpoints fail; then put back"),
    TASKMANAGER_KILL(
            "taskmanager-kill",
            Kind.CRASH,
            "kill -9 the TaskManager running the job (scripts/stack.sh kill-taskmanager), start a"
                    + " new one (start-taskmanager): the job restores its last checkpoint"),
    KAFKA_RESTART(
            "kafka-restart",
            Kind.PERIOD,
            "stop the Kafka broker (scripts/stack.sh stop kafka) for the span while the producer"
                    + " keeps producing into its buffer, then start it again"),
    JOBMANAGER_RESTART(
            "jobmanager-restart",
            Kind.CRASH,
            "kill -9 the JobManager (no HA: the job is gone), start it again, and"
                    + " scripts/resume.sh resubmits the job from its newest retained checkpoint"),
    CUSTOMERIO_OUTAGE(
            "customerio-outage",
            Kind.PERIOD,
            "a full Customer.io outage with the job's default timeouts: every request answered"
                    + " 503 (in each cycle of the span, the last fifth drops every connection"
                    + " instead), traffic all through it, batches dead-lettered on purpose just"
                    + " before and during it, and scripts/upgrade.sh (stop with a savepoint, start"
                    + " from it) in the middle of it; the checkpoint age is sampled throughout");

    enum Kind {
        /** Something dies: recovery is measured from the fault's start. */
        CRASH,
        /** Something misbehaves for a span: recovery is measured from its end. */
        PERIOD
    }

    final String key;
    final Kind kind;
    final String description;

    Fault(String key, Kind kind, String description) {
        this.key = key;
        this.kind = kind;
        this.description = description;
    }

    static Fault byKey(String key) {
        for (Fault f : values()) {
            if (f.key.equals(key.trim())) {
                return f;
            }
        }
        List<String> keys = new ArrayList<>();
        for (Fault f : values()) {
            keys.add(f.key);
        }
        throw new IllegalArgumentException(
                "unknown scenario \"" + key + "\"; known: " + String.join(", ", keys));
    }

    /**
     * Whether the suite runs it when no --scenarios are given (and ChaosITCase): the long outage is
     * run on its own (scripts/chaos.sh --scenarios customerio-outage --minutes 30).
     */
    boolean inDefaultSuite() {
        return this != CUSTOMERIO_OUTAGE;
    }

    /**
     * Whether the scenario needs a job with the defaults of flink-conf/config.yaml and the job (no
     * shortened request timeout or auth retry interval): the driver then runs it on a job of its
     * own.
     */
    boolean usesJobDefaults() {
        return this == CUSTOMERIO_OUTAGE;
    }

    /** Customer.io misbehaving (the job must turn it into backpressure, never a restart). */
    boolean isCustomerio() {
        return this == THROTTLED_WITH_RETRY_AFTER
                || this == THROTTLED_WITHOUT_RETRY_AFTER
                || this == SERVER_ERRORS
                || this == LATENCY
                || this == CONNECTION_RESETS
                || this == UNAUTHORIZED;
    }
}
