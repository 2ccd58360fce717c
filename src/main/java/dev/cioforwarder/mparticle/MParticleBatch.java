package dev.cioforwarder.mparticle;

import java.util.ArrayList;
import java.util.List;

/**
 * An mParticle event batch, reduced to what the Customer.io rules use. A Flink POJO: it crosses the
 * keyBy shuffle from the parser to the per-user state machine, so it carries no raw JSON tree.
 */
public class MParticleBatch {

    /** The keyBy key: the MPID in decimal, or the resolved identity when there is no MPID. */
    public String userKey;

    public boolean hasMpid;

    /** The MPID, exact (never through a double); meaningful only when {@link #hasMpid}. */
    public long mpid;

    /**
     * The batch time ({@code timestamp_unixtime_ms}); the Kafka record time when the batch has
     * none.
     */
    public long timestampMs;

    /** {@code batch_id} or another batch-level id, used to make event ids deterministic. */
    public String batchId;

    /** From {@code user_identities}, else the newest {@code user_identity_change}. */
    public String customerId;

    public String email;

    public Attributes userAttributes;

    public List<String> deletedUserAttributes;

    /**
     * {@code device_info.platform}, else {@code application_info.os}, lower-cased so {@code iOS}
     * and {@code IOS} are one device type; null when the batch names neither.
     */
    public String deviceType;

    /**
     * The earliest moment this batch proves the device existed: the earliest first-run signal or
     * event time, or the batch time when it has no event.
     */
    public long firstSeenCandidateMs;

    /** The events the rules act on, in batch order. */
    public List<MParticleEvent> events;

    // Where the batch came from, for dead letters.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public MParticleBatch() {
        userAttributes = new Attributes();
        deletedUserAttributes = new ArrayList<>();
        events = new ArrayList<>();
    }

    /** The MPID as text, or null; for dead letters and logs. */
    public String mpidText() {
        return hasMpid ? Long.toString(mpid) : null;
    }
}
