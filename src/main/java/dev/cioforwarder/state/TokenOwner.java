package dev.cioforwarder.state;

/**
 * Who a push token belongs to: the value of the {@code device-tokens} operator's keyed state (keyed
 * by token), a Flink POJO. Upgrade rules as for {@link UserState}: fields may only be added.
 */
public class TokenOwner {

    /** The keyBy key of the user the token was last registered by. */
    public String userKey;

    /** That user's MPID, for dead letters of the operations addressed to them; may be null. */
    public String mpid;

    /** {@code ios} or {@code android}, as last registered. */
    public String platform;

    /**
     * The batch time of the newest sighting applied: an older one (a late upload, a replay of an
     * old batch) changes nothing, so a token never moves back to a user it has left since.
     */
    public long timeMs = UserState.NONE;

    /**
     * Whether the token is registered to {@link #userKey} now; false after it was unregistered (the
     * record then remembers when, so an older registration arriving late stays without effect).
     */
    public boolean registered;

    /**
     * The sighting time of the last addition the owner was told of (its {@code last_used} in
     * Customer.io); {@link UserState#NONE} in records from before the refresh existed (state
     * version 5 and older), which count from {@link #timeMs}.
     */
    public long addedTimeMs = UserState.NONE;

    /**
     * The fingerprint of the device attributes last sent to the owner ({@code
     * DeviceAttributes.fingerprint}); 0 when not known (records from state version 5 and older):
     * then the next sighting's are taken as sent.
     */
    public long attributesFingerprint;

    public TokenOwner() {}

    public TokenOwner copy() {
        TokenOwner c = new TokenOwner();
        c.userKey = userKey;
        c.mpid = mpid;
        c.platform = platform;
        c.timeMs = timeMs;
        c.registered = registered;
        c.addedTimeMs = addedTimeMs;
        c.attributesFingerprint = attributesFingerprint;
        return c;
    }

    @Override
    public String toString() {
        return "TokenOwner{"
                + userKey
                + " "
                + platform
                + (registered ? " registered" : " unregistered")
                + " at "
                + timeMs
                + '}';
    }
}
