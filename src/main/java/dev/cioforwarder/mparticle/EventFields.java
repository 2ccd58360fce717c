package dev.cioforwarder.mparticle;

import dev.cioforwarder.json.Attributes;

/**
 * Everything one event may carry, as {@link EventFieldReader} read it; which parts count depends on
 * its type ({@link EventReader}).
 */
final class EventFields {
    String type;
    String eventName;
    String screenName;
    long timestampMs = MParticleEvent.NO_TIME;
    String sourceMessageId;
    String eventId;
    Attributes attributes;
    Boolean optedOut;
    boolean firstRun;
    String activityType;
    String newIdentityType;
    String newIdentity;

    /** What is wrong with {@code new}: it matters only to a {@code user_identity_change}. */
    String newError;

    Boolean register;
    String registrationToken;
    CommerceData commerce;

    /** The event's first problem, with its position; null while it has none. */
    String error;
}
