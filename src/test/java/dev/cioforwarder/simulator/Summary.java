package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The counters of {@code GET /__simulator/summary}. {@code latency_by_second}: for each second of
 * arrival in the last hour that saw probe events, {@code [epoch second, events, highest latency in
 * ms]}, oldest first, to line a latency tail up with what the job was doing then.
 */
public record Summary(
        @JsonProperty("requests") long requests,
        @JsonProperty("operations") long operations,
        @JsonProperty("people") long people,
        @JsonProperty("events") long events,
        @JsonProperty("duplicate_events_ignored") long duplicateEventsIgnored,
        @JsonProperty("rejected_operations") long rejectedOperations,
        @JsonProperty("attribute_update_failures") long attributeUpdateFailures,
        @JsonProperty("stale_updates_ignored") long staleUpdatesIgnored,
        @JsonProperty("responses_by_status") Map<Integer, Long> responsesByStatus,
        @JsonProperty("latency_probe") LatencyProbe latencyProbe,
        @JsonProperty("people_created_by_devices") long peopleCreatedByDevices,
        @JsonProperty("anonymous_events") long anonymousEvents,
        @JsonProperty("latency_by_second") List<long[]> latencyBySecond) {

    /** Event-time-to-arrival of events carrying a numeric {@code _probe_sent_ms} attribute. */
    public record LatencyProbe(
            @JsonProperty("count") long count,
            @JsonProperty("p50_ms") long p50Ms,
            @JsonProperty("p99_ms") long p99Ms,
            @JsonProperty("max_ms") long maxMs) {}
}
