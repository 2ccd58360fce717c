package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.DeviceAttributes;

/**
 * A batch saying that a push token is registered on its user's device, or no longer is: what the
 * parse side sends, keyed by token, to the token index ({@link TokenOwnership}). A Flink POJO: it
 * crosses the keyBy shuffle.
 */
public class TokenSighting {

    /** The push token, trimmed. */
    public String token;

    /** The keyBy key of the batch's user. */
    public String userKey;

    /** The batch's MPID, or null. */
    public String mpid;

    /**
     * The batch's Customer ID and email (null when none): whom the token's previous owner can tell
     * is the same Customer.io person.
     */
    public String customerId;

    public String email;

    /** {@code ios} or {@code android}; null only when {@link #register} is false. */
    public String platform;

    /** The batch time: sightings are ordered by it, and it becomes the device's last_used. */
    public long timeMs;

    /** True: registered on the user's device; false: unregistered (or the app uninstalled). */
    public boolean register;

    /** The batch's details of the device, for a registration; null when it has none. */
    public DeviceAttributes attributes;

    // Where the batch came from, for dead letters of the operations it causes.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public TokenSighting() {}

    @Override
    public String toString() {
        return "TokenSighting{"
                + (register ? "register " : "unregister ")
                + token
                + " "
                + platform
                + " by "
                + userKey
                + " at "
                + timeMs
                + '}';
    }
}
