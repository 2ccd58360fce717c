package dev.cioforwarder.state;

/**
 * Per-user map of device type to first-seen time (ms). Backed by a Flink {@code MapState} in the
 * job and by a plain map in the preview command and tests.
 */
public interface DeviceFirstSeen {
    /** The first-seen time of {@code deviceType}, or null. */
    Long get(String deviceType);

    void put(String deviceType, long firstSeenMs);

    /**
     * The device type was seen again and its entry is unchanged: a store whose entries expire
     * ({@code state.ttl}) keeps it alive, so a user active every day never loses it.
     */
    default void refresh(String deviceType, long firstSeenMs) {}

    /** Forgets every entry (an erasure). */
    default void clear() {}

    /** Whether entries expire unless refreshed (then every entry of a seen device is refreshed). */
    default boolean expires() {
        return false;
    }
}
