package dev.cioforwarder.mapping;

import java.util.List;

/**
 * What the device index ({@link AnonymousStitching}) tells a known user: MPIDs that were anonymous
 * on their device lately, whose anonymous events Customer.io should merge into them. Sent keyed by
 * the user to the user-state stage, which knows how Customer.io addresses the person ({@link
 * UserStateMachine#applyStitch}). A Flink POJO: it crosses the keyBy shuffle.
 */
public class AnonymousStitch {

    /** The keyBy key of the known user. */
    public String userKey;

    /** That user's MPID, or null. */
    public String mpid;

    /** The anonymous MPIDs, as text (each the anonymous id its events were sent with). */
    public List<String> anonymousMpids;

    /** The batch time of the sighting that caused it. */
    public long timeMs;

    // The batch whose sighting caused it, for dead letters.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public AnonymousStitch() {}

    @Override
    public String toString() {
        return "AnonymousStitch{" + anonymousMpids + " into " + userKey + '}';
    }
}
