package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * Misbehaviour to inject, as one JSON object whose keys are all optional (the HTTP form of {@code
 * POST /__simulator/faults}); {@code {}} is no fault at all.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class Faults {
    // Ratios are applied deterministically (see FaultSchedule): 0.25 is every fourth request.

    /** Fraction of track requests answered 503. */
    @JsonProperty("status_503_ratio")
    public double status503Ratio;

    /** Fraction of track requests answered 500. */
    @JsonProperty("status_500_ratio")
    public double status500Ratio;

    /** Track requests per second accepted; the excess is answered 429. 0: unlimited. */
    @JsonProperty("rate_limit_rps")
    public double rateLimitRps;

    /**
     * Fraction of track requests answered 429 whatever the rate (a throttling storm: Customer.io
     * refusing because other clients used up the workspace's quota).
     */
    @JsonProperty("status_429_ratio")
    public double status429Ratio;

    /** Sent as {@code Retry-After} with 429s when positive. */
    @JsonProperty("retry_after_seconds")
    public int retryAfterSeconds;

    /** Added to every track response. */
    @JsonProperty("latency_ms")
    public long latencyMs;

    /** Extra latency up to this much, drawn from {@link #seed} and the request number. */
    @JsonProperty("latency_jitter_ms")
    public long latencyJitterMs;

    /** Seed of the latency jitter, so a run with jitter can be repeated exactly. */
    @JsonProperty("seed")
    public long seed = 1;

    /** Fraction of track requests whose connection is closed without an answer. */
    @JsonProperty("drop_connection_ratio")
    public double dropConnectionRatio;

    /**
     * Fraction of track requests held without an answer for {@link #timeoutHoldMs}, then closed.
     */
    @JsonProperty("timeout_ratio")
    public double timeoutRatio;

    @JsonProperty("timeout_hold_ms")
    public long timeoutHoldMs = 30_000;

    /** Answer 401 to every track request until cleared. */
    @JsonProperty("unauthorized")
    public boolean unauthorized;

    /** Answer 401 for this many seconds from when the faults are set. */
    @JsonProperty("unauthorized_seconds")
    public long unauthorizedSeconds;

    /** Answer 401 to every App API request, while the Track API keeps accepting its key. */
    @JsonProperty("app_api_unauthorized")
    public boolean appApiUnauthorized;

    /** Event names refused per operation (207 in a batch, 400 alone). */
    @JsonProperty("reject_names")
    public List<String> rejectNames = new ArrayList<>();

    /** Event names that make a whole {@code /batch} request a 400. */
    @JsonProperty("reject_batch_names")
    public List<String> rejectBatchNames = new ArrayList<>();

    /**
     * Operations refused by the person they address (see {@link Refusal}): alone with a 400 (an
     * entry of a 207 inside a batch), or the whole request with another status. Rules are tried in
     * order; whole-request rules before the others, as a proxy answers before Customer.io looks.
     */
    @JsonProperty("refusals")
    public List<Refusal> refusals = new ArrayList<>();

    /**
     * Statuses answered to whole requests by path, before credentials are checked, on Track and App
     * API paths (see {@link PathStatus}); the first matching rule answers.
     */
    @JsonProperty("path_statuses")
    public List<PathStatus> pathStatuses = new ArrayList<>();

    public static Faults none() {
        return new Faults();
    }

    public Faults status503Ratio(double v) {
        status503Ratio = v;
        return this;
    }

    public Faults status500Ratio(double v) {
        status500Ratio = v;
        return this;
    }

    public Faults rateLimitRps(double v) {
        rateLimitRps = v;
        return this;
    }

    public Faults status429Ratio(double v) {
        status429Ratio = v;
        return this;
    }

    public Faults retryAfterSeconds(int v) {
        retryAfterSeconds = v;
        return this;
    }

    public Faults latencyMs(long v) {
        latencyMs = v;
        return this;
    }

    public Faults latencyJitterMs(long v) {
        latencyJitterMs = v;
        return this;
    }

    public Faults seed(long v) {
        seed = v;
        return this;
    }

    public Faults dropConnectionRatio(double v) {
        dropConnectionRatio = v;
        return this;
    }

    public Faults timeoutRatio(double v) {
        timeoutRatio = v;
        return this;
    }

    public Faults timeoutHoldMs(long v) {
        timeoutHoldMs = v;
        return this;
    }

    public Faults unauthorized(boolean v) {
        unauthorized = v;
        return this;
    }

    public Faults unauthorizedSeconds(long v) {
        unauthorizedSeconds = v;
        return this;
    }

    public Faults appApiUnauthorized(boolean v) {
        appApiUnauthorized = v;
        return this;
    }

    public Faults rejectNames(String... names) {
        rejectNames = new ArrayList<>(List.of(names));
        return this;
    }

    public Faults rejectBatchNames(String... names) {
        rejectBatchNames = new ArrayList<>(List.of(names));
        return this;
    }

    public Faults refusals(Refusal... rules) {
        refusals = new ArrayList<>(List.of(rules));
        return this;
    }

    public Faults pathStatuses(PathStatus... rules) {
        pathStatuses = new ArrayList<>(List.of(rules));
        return this;
    }

    /** What makes these faults unusable, naming the rule and what to do; null when usable. */
    String problem() {
        if (refusals == null) {
            return "refusals: give a list of rules, or leave the key out";
        }
        for (int i = 0; i < refusals.size(); i++) {
            String problem =
                    refusals.get(i) == null
                            ? "refusals[" + i + "]: a rule must be an object"
                            : refusals.get(i).problem(i);
            if (problem != null) {
                return problem;
            }
        }
        if (pathStatuses == null) {
            return "path_statuses: give a list of rules, or leave the key out";
        }
        for (int i = 0; i < pathStatuses.size(); i++) {
            String problem =
                    pathStatuses.get(i) == null
                            ? "path_statuses[" + i + "]: a rule must be an object"
                            : pathStatuses.get(i).problem(i);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
