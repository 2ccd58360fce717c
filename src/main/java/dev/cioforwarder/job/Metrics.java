package dev.cioforwarder.job;

import dev.cioforwarder.privacy.ErasureOutcome;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The job's metric naming in one place: everything sits under the group {@code forwarder}, and
 * per-reason counters carry the reason as a label ({@code reason="no_identity"}) so Prometheus can
 * sum and alert on them.
 */
final class Metrics {

    static final String GROUP = "forwarder";

    // Every metric the job reports, named here once; docs/metrics.md lists each one
    // (MetricsDocumentationTest checks it).

    // Parsing.
    static final String RECORDS_IN = "records_in";
    static final String BATCHES_PARSED = "batches_parsed";
    static final String EVENTS_REJECTED = "events_rejected";
    static final String EVENTS_NOT_FORWARDED = "events_not_forwarded";

    // Rules.
    static final String EVENTS_FORWARDED = "events_forwarded";
    static final String SCREENS_FORWARDED = "screens_forwarded";
    static final String ANONYMOUS_EVENTS = "anonymous_events";
    static final String COMMERCE_EVENTS_FORWARDED = "commerce_events_forwarded";
    static final String COMMERCE_PRODUCTS_TRIMMED = "commerce_products_trimmed";
    static final String IDENTIFY_SENT = "identify_sent";
    static final String IDENTIFY_UNCHANGED = "identify_unchanged";
    static final String OPERATIONS = "operations";
    static final String DEVICES_ADDED = "devices_added";
    static final String DEVICES_DELETED = "devices_deleted";
    static final String DEVICES_REFRESHED = "devices_refreshed";
    static final String ANONYMOUS_MERGED = "anonymous_merged";
    static final String SKIPPED = "skipped";
    static final String ADJUSTED = "adjusted";

    // Batching.
    static final String REQUESTS_BUILT = "requests_built";
    // The benchmark's discarding delivery (DiscardingBenchmarkJob) only.
    static final String OPERATIONS_DISCARDED = "operations_discarded";
    static final String EVENTS_DISCARDED = "events_discarded";
    static final String OPERATIONS_PER_REQUEST = "operations_per_request";
    static final String CHECKPOINT_AGE_MS = "checkpoint_age_ms";

    // Delivery.
    static final String REQUESTS = "requests";
    static final String REQUEST_BYTES = "request_bytes";
    static final String REQUEST_LATENCY_MS = "request_latency_ms";
    static final String RESPONSES = "responses";
    static final String RESPONSES_429 = "responses_429";
    static final String RATE_LIMIT_PER_SECOND = "rate_limit_per_second";
    static final String RETRIES = "retries";
    static final String AUTH_FAILURES = "auth_failures";
    static final String CREDENTIALS_VALID = "credentials_valid";
    static final String OPERATIONS_DELIVERED = "operations_delivered";
    static final String EVENTS_DELIVERED = "events_delivered";
    static final String IDENTIFIER_CHANGES_APPLIED = "identifier_changes_applied";
    static final String IDENTIFIER_CHANGES_NOT_NEEDED = "identifier_changes_not_needed";
    static final String DELIVERY_LATENCY_MS = "delivery_latency_ms";
    static final String IN_FLIGHT_REQUESTS = "in_flight_requests";
    static final String USERS_IN_FLIGHT = "users_in_flight";
    static final String CUSTOMERIO_AVAILABLE = "customerio_available";
    static final String REQUESTS_EXPIRED = "requests_expired";

    // Waiting: operations that left delivery and wait in their users' state.
    static final String OPERATIONS_PARKED = "operations_parked";
    static final String USERS_PARKED_IN_DELIVERY = "users_parked_in_delivery";
    static final String FEEDBACK_RECORDS = "feedback_records";
    static final String OPERATIONS_WAITING = "operations_waiting";
    static final String USERS_WAITING = "users_waiting";
    static final String OLDEST_WAIT_MS = "oldest_wait_ms";
    static final String WAITING_CAPACITY = "waiting_capacity";
    static final String REFUSALS_APPLIED = "refusals_applied";

    // Erasure.
    static final String ERASURES_REQUESTED = "erasures_requested";
    static final String ERASURES_DONE = "erasures_done";
    static final String ERASURES_NOT_FOUND = "erasures_not_found";
    static final String ERASURES_FAILED = "erasures_failed";

    // Every stage.
    static final String DEAD_LETTERS = "dead_letters";

    // Labels.
    static final String REASON = "reason";
    static final String EVENT_TYPE = "event_type";
    static final String STATUS_CLASS = "status_class";
    static final String KIND = "kind";

    private Metrics() {}

    static MetricGroup group(MetricGroup operatorGroup) {
        return operatorGroup.addGroup(GROUP);
    }

    /**
     * A counter that may be incremented from any thread. Flink's default {@code SimpleCounter}
     * (what {@code group.counter(name)} creates) is a plain {@code long}: increments from two
     * threads at once get lost. Delivery counts on the HTTP client's Netty threads and its retry
     * timer thread besides the task thread, so every counter it can reach is made with this.
     */
    static Counter threadSafeCounter(MetricGroup group, String name) {
        return group.counter(name, new ThreadSafeSimpleCounter());
    }

    /**
     * The erasure outcome counters ({@code erasures_done}, {@code erasures_not_found}, {@code
     * erasures_failed}), registered at once so a dashboard sees them at zero. Thread-safe: delivery
     * counts outcomes from its callbacks ({@link #threadSafeCounter}).
     */
    static Map<String, Counter> erasureOutcomes(MetricGroup group) {
        Map<String, Counter> counters = new HashMap<>();
        counters.put(ErasureOutcome.DONE, threadSafeCounter(group, ERASURES_DONE));
        counters.put(ErasureOutcome.NOT_FOUND, threadSafeCounter(group, ERASURES_NOT_FOUND));
        counters.put(ErasureOutcome.FAILED, threadSafeCounter(group, ERASURES_FAILED));
        return counters;
    }

    /**
     * Counters of one name, one per label value, created on first use. Safe for concurrent use:
     * delivery counts responses and dead letters from the HTTP client's Netty threads and its retry
     * timer thread, so the map is concurrent (a {@code HashMap}'s {@code computeIfAbsent} from two
     * threads can corrupt it, or register one label twice) and each counter a {@link
     * #threadSafeCounter}.
     */
    static final class Labelled {
        private final MetricGroup group;
        private final String label;
        private final String name;
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();

        Labelled(MetricGroup group, String label, String name) {
            this.group = group;
            this.label = label;
            this.name = name;
        }

        void inc(String labelValue, long by) {
            if (by == 0) {
                return;
            }
            counters.computeIfAbsent(
                            labelValue, v -> threadSafeCounter(group.addGroup(label, v), name))
                    .inc(by);
        }

        void inc(String labelValue) {
            inc(labelValue, 1);
        }
    }
}
