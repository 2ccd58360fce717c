package dev.cioforwarder.chaos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What one scenario measured, and every check that failed (empty: all passed). */
final class ScenarioResult {
    @JsonProperty("fault")
    String fault;

    @JsonProperty("description")
    String description;

    @JsonProperty("fault_seconds")
    double faultSeconds;

    @JsonProperty("batches_sent")
    long batchesSent;

    @JsonProperty("events_sent")
    long eventsSent;

    /** Produced events found in Customer.io's store (each counted once). */
    @JsonProperty("delivered")
    long delivered;

    /**
     * Events Customer.io received again under an id it had (simulator duplicate_events_ignored).
     */
    @JsonProperty("duplicates_on_the_wire")
    long duplicatesOnTheWire;

    /** Extra copies of an event in the store (same user, sequence, type, name: another id). */
    @JsonProperty("duplicates_in_store")
    long duplicatesInStore;

    @JsonProperty("lost")
    long lost;

    /** Stored events that were never produced. */
    @JsonProperty("unexpected")
    long unexpected;

    @JsonProperty("users")
    long users;

    @JsonProperty("wrong_profiles")
    long wrongProfiles;

    @JsonProperty("dead_letters")
    long deadLetters;

    /** Events dead-lettered on purpose by the scenario (null: none, every event must arrive). */
    @JsonProperty("dead_letters_expected")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    Long deadLettersExpected;

    /** Of those, found exactly once in the dead-letter topic (read_committed). */
    @JsonProperty("dead_letters_present")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    Long deadLettersPresent;

    /** Operations Customer.io refused (simulator rejected_operations). */
    @JsonProperty("rejected_operations")
    long rejectedOperations;

    /** The settings the scenario's job was submitted with. */
    @JsonProperty("job_settings")
    String jobSettings;

    /** The long outage's own figures: checkpoint age over time, the upgrade, dead letters. */
    @JsonProperty("outage")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    OutageFigures outage;

    /** From the fault's end (or start, for crashes) until Customer.io accepts requests again. */
    @JsonProperty("resumed_seconds")
    Double resumedSeconds;

    /** From the fault's end (or start, for crashes) until every produced event is delivered. */
    @JsonProperty("drained_seconds")
    Double drainedSeconds;

    /** The longest time without a newly stored event, from the fault's start until drained. */
    @JsonProperty("longest_delivery_gap_seconds")
    Double longestDeliveryGapSeconds;

    /** From the fault's end until a checkpoint completes again. */
    @JsonProperty("checkpoint_again_seconds")
    Double checkpointAgainSeconds;

    @JsonProperty("job_restarts")
    long jobRestarts;

    @JsonProperty("checkpoints_failed")
    long checkpointsFailed;

    @JsonProperty("requests")
    long requests;

    @JsonProperty("responses_by_status")
    Map<Integer, Long> responsesByStatus = new TreeMap<>();

    @JsonProperty("notes")
    List<String> notes = new ArrayList<>();

    @JsonProperty("failures")
    List<String> failures = new ArrayList<>();

    boolean passed() {
        return failures.isEmpty();
    }

    void check(boolean ok, String failure) {
        if (!ok) {
            failures.add(failure);
        }
    }

    /** The table's recovery cell. */
    String recoveryText() {
        StringBuilder sb = new StringBuilder();
        if (drainedSeconds == null) {
            sb.append("not drained");
        } else {
            sb.append("resumed ")
                    .append(resumedSeconds == null ? "?" : seconds(resumedSeconds))
                    .append(", drained ")
                    .append(seconds(drainedSeconds));
        }
        if (Fault.byKey(fault) == Fault.CHECKPOINT_STORAGE) {
            sb.append(", checkpoint ")
                    .append(
                            checkpointAgainSeconds == null
                                    ? "never"
                                    : seconds(checkpointAgainSeconds));
        }
        return sb.toString();
    }

    static String seconds(double s) {
        return String.format("%.1f s", s);
    }
}
