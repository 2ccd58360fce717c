package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** An event as stored (first delivery of its id). */
public record StoredEvent(
        @JsonProperty("cio_id") String cioId,
        @JsonProperty("person_id") String personId,
        @JsonProperty("person_email") String personEmail,
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("id") String id,
        @JsonProperty("timestamp") Long timestamp,
        @JsonProperty("data") JsonNode data,
        @JsonProperty("api") String api,
        @JsonProperty("received_at_ms") long receivedAtMs) {}
