package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** A person as the simulator stores them (a snapshot). */
public record Person(
        @JsonProperty("cio_id") String cioId,
        @JsonProperty("id") String id,
        @JsonProperty("email") String email,
        @JsonProperty("attributes") Map<String, JsonNode> attributes,
        @JsonProperty("unsubscribed") boolean unsubscribed,
        @JsonProperty("created_at") Long createdAt,
        @JsonProperty("devices") List<JsonNode> devices,
        @JsonProperty("suppressed") boolean suppressed) {}
