package dev.cioforwarder.mparticle;

/**
 * The events the parser keeps because a rule reads them; every other event type is counted as not
 * forwarded and dropped by the parser (see {@link ParseResult#notForwardedEventTypes()}).
 */
public enum EventKind {
    /** {@code custom_event} (SDK {@code logEvent}). */
    CUSTOM_EVENT,
    /** {@code screen_view} (SDK {@code logScreen}; the web SDK's page views). */
    SCREEN_VIEW,
    /** {@code opt_out}: the user opted out of (or back into) tracking. */
    OPT_OUT,
    /** {@code user_identity_change}: a new identity, with the time it was set. */
    IDENTITY_CHANGE,
    /**
     * The app's first run on the device: a {@code first_run} event, or an {@code
     * application_state_transition} with {@code is_first_run: true}.
     */
    FIRST_RUN,
    /** {@code push_registration}: a push token registered or unregistered on the device. */
    PUSH_REGISTRATION,
    /** {@code uninstall}: mParticle learnt that the app was removed from the device. */
    UNINSTALL,
    /**
     * {@code commerce_event}: a product action (a purchase, an add to cart...), a promotion action
     * or product impressions, with its {@link MParticleEvent#commerce} parts.
     */
    COMMERCE_EVENT
}
