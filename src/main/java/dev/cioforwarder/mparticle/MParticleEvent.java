package dev.cioforwarder.mparticle;

import dev.cioforwarder.json.Attributes;

/**
 * One event of a batch that a rule reads (see {@link EventKind}), as received: the parser decides
 * nothing about it. A Flink POJO: it crosses the keyBy shuffle inside {@link MParticleBatch}.
 */
public class MParticleEvent {

    /** Marks an absent event time. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public EventKind kind;

    /**
     * {@code event_name} or {@code screen_name} exactly as received; null when absent. A commerce
     * event's {@code event_name} (mParticle's own label, such as {@code eCommerce - Purchase}) is
     * kept for dead letters only: the rules name it after its action.
     */
    public String name;

    /** {@code timestamp_unixtime_ms}, or {@link #NO_TIME}. */
    public long timestampMs = NO_TIME;

    /**
     * What identifies this event across replays: {@code source_message_id}, else {@code event_id},
     * else the batch id (else the batch's own time) and the event's position, else a hash of the
     * event's own bytes and its position; never the Kafka record time or offset.
     */
    public String dedupKey;

    /** {@code custom_attributes}; empty when absent or null. */
    public Attributes attributes;

    /** {@link EventKind#OPT_OUT}: {@code is_opted_out}, or null when the event does not say. */
    public Boolean optedOut;

    /**
     * {@link EventKind#SCREEN_VIEW}: {@code activity_type}, which the Android SDK sets on every
     * screen view: {@code activity_started}, or {@code activity_stopped} when its automatic screen
     * tracking (SDK 5.35 and older) records leaving the screen. Null from other SDKs.
     */
    public String activityType;

    /** {@link EventKind#IDENTITY_CHANGE}: {@code new.identity_type}, as received. */
    public String identityType;

    /** {@link EventKind#IDENTITY_CHANGE}: {@code new.identity}, trimmed; null when removed. */
    public String identity;

    /**
     * {@link EventKind#PUSH_REGISTRATION}: {@code register} (true: the token was registered, false:
     * unregistered), or null when the event does not say or says it in another type.
     */
    public Boolean pushRegister;

    /**
     * {@link EventKind#PUSH_REGISTRATION}: {@code registration_token} as received when it is a
     * string; null otherwise.
     */
    public String pushToken;

    /** {@link EventKind#COMMERCE_EVENT}: its product action, promotions and impressions. */
    public CommerceData commerce;

    /** Position in the batch's {@code events} array. */
    public int position;

    public MParticleEvent() {}

    /** The event time, or {@code fallbackMs} when the event carries none. */
    public long timeOr(long fallbackMs) {
        return timestampMs != NO_TIME ? timestampMs : fallbackMs;
    }

    @Override
    public String toString() {
        return "MParticleEvent{"
                + kind
                + ", name="
                + name
                + ", timestampMs="
                + timestampMs
                + ", dedupKey="
                + dedupKey
                + ", position="
                + position
                + '}';
    }
}
