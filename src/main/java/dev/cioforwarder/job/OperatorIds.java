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

    // Delivery that follows what Customer.io accepted (version 0.2).

    /** Device changes turned into the user-state step's second input (stateless). */
    public static final String DEVICE_CHANGE_SIGNALS = "device-change-signals";

    /** The feedback topic read back. */
    public static final String FEEDBACK_SOURCE = "delivery-feedback-source";

    public static final String FEEDBACK_PARSER = "delivery-feedback-parser";

    /** Delivery outcomes that are feedback (stateless). */
    public static final String DELIVERY_FEEDBACK = "delivery-feedback";

    public static final String FEEDBACK_SINK = "delivery-feedback-sink";

    // Anonymous activity stitching (state version 6).

    /** Chained to the parser: the device each batch came from, for the device index. */
    public static final String DEVICE_VISIT_SIGHTINGS = "device-visit-sightings";

    /** The erasure requests the device index hears of (broadcast to it). */
    public static final String ERASED_MPIDS = "erased-mpids";

    /** Keyed by device identifier: the anonymous and known visitors of each device. */
    public static final String DEVICE_VISITORS = "device-visitors";

    public static final String ANONYMOUS_STITCH_SIGNALS = "anonymous-stitch-signals";

    // Shared-email guard (state version 6).

    /** Chained to the parser: the claim each batch makes on its email. */
    public static final String EMAIL_CLAIMS = "email-claims";

    /** Keyed by email: which customer holds each email in Customer.io. */
    public static final String EMAIL_OWNERS = "email-owners";

    public static final String EMAIL_VERDICT_SIGNALS = "email-verdict-signals";

    private OperatorIds() {}
}
