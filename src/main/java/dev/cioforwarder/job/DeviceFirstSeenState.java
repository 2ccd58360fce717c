package dev.cioforwarder.job;

import dev.cioforwarder.state.DeviceFirstSeen;
import org.apache.flink.api.common.state.MapState;

/** The user-state step's device first-seen map state, as the rules' {@link DeviceFirstSeen}. */
final class DeviceFirstSeenState implements DeviceFirstSeen {

    private final MapState<String, Long> deviceFirstSeen;

    /** Whether the state has a time to live, which a write restarts. */
    private final boolean expires;

    DeviceFirstSeenState(MapState<String, Long> deviceFirstSeen, boolean expires) {
        this.deviceFirstSeen = deviceFirstSeen;
        this.expires = expires;
    }

    @Override
    public Long get(String deviceType) {
        try {
            return deviceFirstSeen.get(deviceType);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read device state", e);
        }
    }

    @Override
    public void put(String deviceType, long firstSeenMs) {
        try {
            deviceFirstSeen.put(deviceType, firstSeenMs);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write device state", e);
        }
    }

    @Override
    public void refresh(String deviceType, long firstSeenMs) {
        // Writing the entry again restarts its time to live.
        if (expires) {
            put(deviceType, firstSeenMs);
        }
    }

    @Override
    public boolean expires() {
        return expires;
    }

    @Override
    public void clear() {
        deviceFirstSeen.clear();
    }
}
