package dev.cioforwarder.state;

/** A user with identity seen on a device ({@link DeviceVisitors}). A Flink POJO. */
public class KnownVisitor {

    /** The user's keyBy key: where the anonymous activity given to them is sent. */
    public String userKey;

    /** Their MPID, for dead letters of what is sent to them; may be null. */
    public String mpid;

    /** The batch time of their newest batch on the device. */
    public long lastSeenMs = UserState.NONE;

    public KnownVisitor() {}
}
