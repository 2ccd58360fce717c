package dev.cioforwarder.state;

import dev.cioforwarder.customerio.DeviceAttributes;

/**
 * One push device (token) of a user, as the user-state stage knows it: a Flink POJO inside {@link
 * UserState#pushDevices}. Upgrade rules as for {@link UserState}: fields may only be added.
 */
public class PushDevice {

    /** The push token (APNs device token, FCM registration token). */
    public String token;

    /** {@code ios} or {@code android}: Customer.io's platform. */
    public String platform;

    /** The batch time (seconds) of the sighting that gave the token to this user. */
    public long lastUsedSeconds;

    /**
     * Whether Customer.io was sent the device ({@code add_device}); false while it is held (no
     * identity yet, or opted out).
     */
    public boolean sent;

    /** The device attributes it was (or will be) sent with; null when none was known. */
    public DeviceAttributes attributes;

    public PushDevice() {}

    public PushDevice copy() {
        PushDevice c = new PushDevice();
        c.token = token;
        c.platform = platform;
        c.lastUsedSeconds = lastUsedSeconds;
        c.sent = sent;
        c.attributes = attributes == null ? null : attributes.copy();
        return c;
    }

    @Override
    public String toString() {
        return "PushDevice{" + platform + " " + token + (sent ? " sent" : " held") + '}';
    }
}
