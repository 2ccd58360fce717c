package dev.cioforwarder.state;

import java.util.List;

/**
 * Who was seen on one device lately: the value of the {@code device-visitors} operator's keyed
 * state (keyed by device identifier), a Flink POJO. Upgrade rules as for {@link UserState}: fields
 * may only be added.
 */
public class DeviceVisitors {

    /** Users without identity seen on the device, oldest first; at most a few. */
    public List<AnonymousVisitor> anonymous;

    /** Users with identity seen on the device, oldest first; at most a few. */
    public List<KnownVisitor> known;

    public DeviceVisitors() {}
}
