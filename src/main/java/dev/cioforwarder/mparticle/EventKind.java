package dev.cioforwarder.mparticle;

/** The events the forwarder acts on; every other mParticle event type is counted and dropped. */
public enum EventKind {
    /** {@code custom_event} (SDK {@code logEvent}): forwarded as a Customer.io {@code event}. */
    CUSTOM_EVENT,
    /** {@code screen_view} (SDK {@code logScreen}): forwarded as a Customer.io {@code screen}. */
    SCREEN_VIEW,
    /** {@code opt_out}: unsubscribes (or resumes) the user. */
    OPT_OUT
}
