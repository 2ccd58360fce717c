package dev.cioforwarder.privacy;

/**
 * A request to erase a person: from Customer.io, from the forwarder's own state, and (by the
 * operator, told which records hold it) from the dead letters. A Flink POJO: it travels to the
 * user's state inside the batch stream.
 */
public class ErasureRequest {

    /** The request's own id, echoed in its outcome. */
    public String requestId;

    /** The MPID, when the request names one: the user's key in the forwarder's state. */
    public boolean hasMpid;

    public long mpid;

    /** Identities the request names, used when the forwarder knows no identifier itself. */
    public String customerId;

    public String email;

    /** When the request was made: batches older than this are held back for good. */
    public long timeMs;

    public ErasureRequest() {}

    public ErasureRequest copy() {
        ErasureRequest c = new ErasureRequest();
        c.requestId = requestId;
        c.hasMpid = hasMpid;
        c.mpid = mpid;
        c.customerId = customerId;
        c.email = email;
        c.timeMs = timeMs;
        return c;
    }

    @Override
    public String toString() {
        return "ErasureRequest{" + requestId + "}";
    }
}
