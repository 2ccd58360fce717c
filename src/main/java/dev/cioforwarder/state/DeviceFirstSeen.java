package dev.cioforwarder.state;

/**
 * Per-user map of device type to first-seen time (ms). Backed by a Flink {@code MapState} in the
 * job and by a plain map in the preview command and tests.
 */
public interface DeviceFirstSeen {
    /** The first-seen time of {@code deviceType}, or null. */
    Long get(String deviceType);

    void put(String deviceType, long firstSeenMs);
}
