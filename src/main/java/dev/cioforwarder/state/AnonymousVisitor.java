package dev.cioforwarder.state;

/** An MPID seen without identity on a device ({@link DeviceVisitors}). A Flink POJO. */
public class AnonymousVisitor {

    /** The MPID, as text: the anonymous id its anonymous events were sent with. */
    public String mpid;

    /** The batch time of its first and newest batch on the device. */
    public long firstSeenMs = UserState.NONE;

    public long lastSeenMs = UserState.NONE;

    /**
     * The keyBy key of the known user its activity was given to, or null while none was: an
     * anonymous MPID's activity joins one person only.
     */
    public String stitchedTo;

    public AnonymousVisitor() {}
}
