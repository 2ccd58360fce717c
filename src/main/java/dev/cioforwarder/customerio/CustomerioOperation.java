package dev.cioforwarder.customerio;

/**
 * One Customer.io operation for one user, encoded once by the per-user state machine and carried
 * unchanged to delivery. A Flink POJO: it sits inside the AsyncIO operator's checkpointed queue, so
 * adding a field is fine but renaming or removing one breaks restore (see the README on upgrades).
 */
public class CustomerioOperation {

    /** The keyBy key of the user: delivery keeps each user's operations in order by it. */
    public String userKey;

    public OperationKind kind;

    /**
     * The HTTP method of an operation sent in a request of its own (every v1 operation, and one for
     * an endpoint {@code /api/v2/batch} does not cover); null for a /batch operation.
     */
    public String method;

    /** The request path of an operation sent alone (see {@link #method}); null otherwise. */
    public String path;

    /** The v1 request body, or the v2 operation object, as UTF-8 JSON. */
    public byte[] body;

    /** The deterministic ULID of an event or screen; null for identify. */
    public String eventId;

    /**
     * Nothing after this operation may share its request: later operations are addressed by an
     * identifier this one creates, so they wait until Customer.io has acknowledged it. Added in
     * state version 3 (false for operations restored from older checkpoints).
     */
    public boolean lastInRequest;

    /** The erasure request a deletion carries out, for its outcome; null otherwise. */
    public String erasureRequestId;

    /** When the underlying event (or batch) happened, for the delivery latency metric. */
    public long eventTimeMs;

    // Where the operation came from, for dead letters.
    public String mpid;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public CustomerioOperation() {}

    /**
     * Sent in a request of its own: it names its own endpoint, or is an identifier change (App API
     * look-ups, then a Track API call).
     */
    public boolean needsOwnRequest() {
        return path != null || kind == OperationKind.IDENTIFIER_CHANGE;
    }

    @Override
    public String toString() {
        return "CustomerioOperation{"
                + kind
                + " user="
                + userKey
                + (path != null ? " " + method + " " + path : "")
                + " bytes="
                + (body == null ? 0 : body.length)
                + '}';
    }
}
