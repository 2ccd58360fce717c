package dev.cioforwarder.mparticle;

/**
 * One event of a batch that the forwarder acts on (see {@link EventKind}). A Flink POJO.
 *
 * <p>Only what the rules need is kept: the name as received (normalised later, so a rejection can
 * quote the original), the time, the key that makes its Customer.io id deterministic, and its
 * custom attributes.
 */
public class MParticleEvent {

    /** Marks an absent event time; the batch time is used instead. */
    public static final long NO_TIME = Long.MIN_VALUE;

    public EventKind kind;

    /** {@code event_name} or {@code screen_name} exactly as received; null for opt-outs. */
    public String name;

    /** {@code timestamp_unixtime_ms}, or {@link #NO_TIME}. */
    public long timestampMs = NO_TIME;

    /**
     * What identifies this event across replays: {@code source_message_id}, else {@code event_id},
     * else the batch id and the event's position.
     */
    public String dedupKey;

    /** {@code custom_attributes}; empty when absent or null. */
    public Attributes attributes;

    /** For {@link EventKind#OPT_OUT}: the {@code is_opted_out} value. */
    public boolean optedOut;

    /** Position in the batch's {@code events} array. */
    public int position;

    public MParticleEvent() {}

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
