package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One track request as the simulator answered it (never its headers). */
public record RequestLogEntry(
        @JsonProperty("method") String method,
        @JsonProperty("path") String path,
        @JsonProperty("status") int status,
        @JsonProperty("operations") int operations,
        @JsonProperty("received_at_ms") long receivedAtMs) {}
