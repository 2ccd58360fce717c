package dev.cioforwarder.mapping;

/**
 * A batch of a user on a device, as the parse side tells the device index ({@link
 * AnonymousStitching}), keyed by the device. A Flink POJO: it crosses the keyBy shuffle.
 */
public class DeviceVisit {

    /** {@code MParticleBatch.deviceId}: the keyBy key. */
    public String deviceId;

    /** The keyBy key of the batch's user. */
    public String userKey;

    /** The batch's MPID, as text. */
    public String mpid;

    /** Whether the batch carries the identity the User ID Type addresses people by. */
    public boolean known;

    /** The batch time. */
    public long timeMs;

    // Where the batch came from, for dead letters of the operations it causes.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public DeviceVisit() {}

    @Override
    public String toString() {
        return "DeviceVisit{"
                + (known ? "known " : "anonymous ")
                + userKey
                + " on "
                + deviceId
                + " at "
                + timeMs
                + '}';
    }
}
