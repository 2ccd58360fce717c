package dev.cioforwarder.chaos;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * What the long Customer.io outage measured besides the suite's usual figures: the settings it ran
 * with, its phases, the upgrade in the middle of it, the checkpoints and the checkpoint age over
 * time, and the dead letters it made on purpose. Times are epoch milliseconds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class OutageFigures {

    /** One span of the outage: every request answered 503, or every connection dropped. */
    record Phase(
            @JsonProperty("kind") String kind,
            @JsonProperty("faults") String faults,
            @JsonProperty("start_ms") long startMs,
            @JsonProperty("end_ms") long endMs) {}

    /** scripts/upgrade.sh in the middle of the outage. */
    record Upgrade(
            @JsonProperty("command") String command,
            @JsonProperty("start_ms") long startMs,
            @JsonProperty("end_ms") long endMs,
            @JsonProperty("seconds") double seconds,
            @JsonProperty("exit_code") int exitCode,
            @JsonProperty("old_job") String oldJob,
            @JsonProperty("new_job") String newJob,
            @JsonProperty("output") List<String> output) {}

    /** A completed checkpoint or savepoint, as Flink's checkpoint statistics give it. */
    record Completion(
            @JsonProperty("job") String job,
            @JsonProperty("id") long id,
            @JsonProperty("savepoint") boolean savepoint,
            @JsonProperty("trigger_ms") long triggerMs,
            @JsonProperty("ack_ms") long ackMs) {}

    /**
     * One sample of the checkpoint age: the time since the latest completed checkpoint or savepoint
     * of the scenario's jobs (Flink's REST API), and the job's own gauge checkpoint_age_ms (which
     * starts from 0 when a job starts, and which Flink's REST API refreshes every 10 s).
     */
    record Sample(
            @JsonProperty("t_ms") long timeMs,
            @JsonProperty("job") String job,
            @JsonProperty("state") String state,
            @JsonProperty("age_ms") Long ageMs,
            @JsonProperty("latest_completed_id") Long latestCompletedId,
            @JsonProperty("gauge_ms") Long gaugeMs) {}

    /** A batch dead-lettered on purpose, and what the dead-letter topic holds for it. */
    record DeadLetter(
            @JsonProperty("key") String key,
            @JsonProperty("reason") String reason,
            @JsonProperty("produced") String produced,
            @JsonProperty("produced_at_ms") long producedAtMs,
            @JsonProperty("copies_in_topic") int copiesInTopic,
            @JsonProperty("dead_lettered_at_ms") Long deadLetteredAtMs) {}

    @JsonProperty("scenario_start_ms")
    long scenarioStartMs;

    @JsonProperty("outage_start_ms")
    long outageStartMs;

    @JsonProperty("outage_end_ms")
    long outageEndMs;

    @JsonProperty("drained_at_ms")
    Long drainedAtMs;

    @JsonProperty("scenario_end_ms")
    long scenarioEndMs;

    /** The job's checkpointing as Flink runs it (GET /jobs/<id>/checkpoints/config). */
    @JsonProperty("checkpoint_interval_ms")
    long checkpointIntervalMs;

    @JsonProperty("checkpoint_timeout_ms")
    long checkpointTimeoutMs;

    @JsonProperty("checkpoint_min_pause_ms")
    long checkpointMinPauseMs;

    /** The same three in flink-conf/config.yaml: the run must use them. */
    @JsonProperty("config_yaml_checkpointing")
    String configYamlCheckpointing;

    /** The job's delivery and transaction timeouts: none is set, the job's defaults apply. */
    @JsonProperty("job_timeouts")
    String jobTimeouts;

    @JsonProperty("phases")
    List<Phase> phases = new ArrayList<>();

    @JsonProperty("upgrade")
    Upgrade upgrade;

    /** The restore of the job that runs at the end (GET /jobs/<id>/checkpoints latest.restored). */
    @JsonProperty("final_job_restored_from")
    String finalJobRestoredFrom;

    @JsonProperty("final_job_restarts")
    Long finalJobRestarts;

    /**
     * The upgraded job's failedCommittables once upgrade.sh has returned (after its first
     * checkpoint): commits of the savepoint's transactions the old job had already committed.
     */
    @JsonProperty("failed_committables_after_upgrade")
    Long failedCommittablesAfterUpgrade;

    /** The sinks' failedCommittables, summed, of the job that runs at the end. */
    @JsonProperty("final_job_failed_committables")
    Long finalJobFailedCommittables;

    /** 2xx answers of Customer.io between the outage's start (plus 1 s) and its end. */
    @JsonProperty("requests_accepted_during_outage")
    long requestsAcceptedDuringOutage;

    @JsonProperty("checkpoints_completed_during_outage")
    long checkpointsCompletedDuringOutage;

    @JsonProperty("savepoints_completed_during_outage")
    long savepointsCompletedDuringOutage;

    /**
     * From Flink's checkpoint counts (GET /jobs/<id>/checkpoints counts.failed), which include
     * checkpoints that failed to trigger and so never appear in the history.
     */
    @JsonProperty("checkpoints_failed_during_outage")
    long checkpointsFailedDuringOutage;

    /**
     * The longest time during the outage without a completed checkpoint or savepoint, from the
     * completion times (the checkpoint age just before each completion, and at the outage's end).
     */
    @JsonProperty("max_checkpoint_age_during_outage_ms")
    long maxCheckpointAgeDuringOutageMs;

    /** The highest sampled age during the outage (what the plot shows). */
    @JsonProperty("max_checkpoint_age_sampled_during_outage_ms")
    long maxCheckpointAgeSampledDuringOutageMs;

    @JsonProperty("max_checkpoint_age_gauge_during_outage_ms")
    Long maxCheckpointAgeGaugeDuringOutageMs;

    @JsonProperty("dead_letters")
    List<DeadLetter> deadLetters = new ArrayList<>();

    @JsonProperty("completions")
    List<Completion> completions = new ArrayList<>();

    @JsonProperty("samples")
    List<Sample> samples = new ArrayList<>();
}
