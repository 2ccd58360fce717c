package dev.cioforwarder.job;

/**
 * The uid of every operator. Savepoints map state to operators by these: never change one, or a
 * restore loses that operator's state (or refuses to start without --allow-non-restored-state).
 */
public final class OperatorIds {
    public static final String SOURCE = "mparticle-source";
    public static final String PARSER = "mparticle-parser";
    public static final String USER_STATE = "user-state";

    /** Reads push token sightings off the parsed batches (stateless; push devices). */
    public static final String PUSH_TOKEN_SIGHTINGS = "push-token-sightings";

    /** The token → owner index, keyed by push token (push devices, state version 4). */
    public static final String DEVICE_TOKENS = "device-tokens";

    public static final String BATCHER = "request-batcher";
    public static final String DELIVERY = "customerio-delivery";
    public static final String DELIVERY_DEAD_LETTERS = "delivery-dead-letters";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String ERASURE_SOURCE = "erasure-source";
    public static final String ERASURE_PARSER = "erasure-parser";
    public static final String DELIVERY_ERASURE_OUTCOMES = "delivery-erasure-outcomes";
    public static final String ERASURE_OUTCOME_SINK = "erasure-outcome-sink";

    private OperatorIds() {}
}
