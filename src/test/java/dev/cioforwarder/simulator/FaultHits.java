package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * How often each rule of the faults in force hit since they were set ({@code GET
 * /__simulator/fault-hits}), so a test can assert that the fault it injected really happened.
 *
 * @param refusals per entry of {@code refusals}, in order: operations refused alone (status 400) or
 *     requests answered whole (any other status)
 * @param pathStatuses per entry of {@code path_statuses}, in order: requests answered
 */
public record FaultHits(
        @JsonProperty("refusals") List<Long> refusals,
        @JsonProperty("path_statuses") List<Long> pathStatuses) {}
