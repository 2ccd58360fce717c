package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.DeviceAttributes;

/**
 * What the token index ({@link TokenOwnership}) decided one user must hear: a push token is now
 * theirs (add, also when only its platform changed), or no longer is (delete). Sent keyed by the
 * user to the user-state stage, which knows how Customer.io addresses the person and orders the
 * operation among theirs ({@link UserStateMachine#applyDeviceChange}). A Flink POJO: it crosses the
 * keyBy shuffle.
 */
public class DeviceChange {

    /** The keyBy key of the user the change is for (the new owner, or the one who lost it). */
    public String userKey;

    /** That user's MPID, or null. */
    public String mpid;

    public String token;

    /** {@code ios} or {@code android} for an addition; null for a deletion. */
    public String platform;

    /** The time of the sighting that caused it (batch time): the device's last_used. */
    public long timeMs;

    /** True: add the device to the user; false: delete it from them. */
    public boolean add;

    /**
     * An addition of a device the user already has on that platform, seen again after the refresh
     * interval: its {@code last_used} in Customer.io is brought up to this sighting.
     */
    public boolean refresh;

    /**
     * For a deletion because the token moved to another user: that user's MPID, Customer ID and
     * email as their batch carried them (null when none, and for other changes). When they address
     * the same Customer.io person as this user (two MPIDs sharing an email, say), the deletion is
     * not sent: the person keeps the device the other user's addition gives them.
     */
    public String movedToMpid;

    public String movedToCustomerId;
    public String movedToEmail;

    /** For an addition, the device's attributes as the sighting told them; null when none. */
    public DeviceAttributes attributes;

    // The batch whose sighting caused the change, for dead letters.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public DeviceChange() {}

    @Override
    public String toString() {
        return "DeviceChange{"
                + (refresh ? "refresh " : add ? "add " : "delete ")
                + token
                + (add ? " " + platform : "")
                + " for "
                + userKey
                + '}';
    }
}
