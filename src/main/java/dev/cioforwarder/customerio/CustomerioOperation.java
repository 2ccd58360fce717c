package dev.cioforwarder.customerio;

/**
 * One Customer.io operation for one user, encoded once by the per-user state machine and carried
 * unchanged to delivery. A Flink POJO: it sits inside the AsyncIO operator's checkpointed queue, so
 * adding a field is fine but renaming or removing one breaks restore (see docs/operations.md on
 * upgrades).
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

    // State version 5 (delivery that follows what Customer.io accepted): every field below was
    // added then; operations restored from an older checkpoint carry these defaults.

    /**
     * The operation's place among its user's operations ({@link #UNSEQUENCED} for the anonymous
     * events of a user the forwarder keeps no state for, whose order does not matter). Operations
     * that wait and come back are put in this order again.
     */
    public long seq = UNSEQUENCED;

    /**
     * The user's delivery episode when the operation was emitted: tells a waiting user's state
     * which operations were sent before it took over their order (see {@code UserLane}).
     */
    public long episode;

    /** Delivery reports back once this operation is settled (delivered or refused). */
    public boolean ackRequested;

    /**
     * Nothing after this operation is sent before Customer.io has accepted it: later operations are
     * addressed by an identifier it creates (an attached id, a changed identifier) or must not come
     * before it (a deletion). Implies {@link #ackRequested} when it is sent.
     */
    public boolean confirmRequired;

    /**
     * What the user's state recorded as sent with this operation ({@link OperationEffects}): a
     * refusal takes it back, so the next batch sends it again.
     */
    public int effects;

    /** Detail of {@link #effects}: the push token added, or the address an attach replaced. */
    public String effectDetail;

    /** When delivery first tried the operation (ms), or 0: bounds customerio.max-retry-duration. */
    public long firstAttemptMs;

    /** How many times the operation has waited in its user's state (for the retry backoff). */
    public int waits;

    /** {@link #seq} of an operation the forwarder keeps no order for. */
    public static final long UNSEQUENCED = -1;

    public CustomerioOperation() {}

    /** A copy sharing the (immutable) body bytes. */
    public CustomerioOperation copy() {
        CustomerioOperation c = new CustomerioOperation();
        c.userKey = userKey;
        c.kind = kind;
        c.method = method;
        c.path = path;
        c.body = body;
        c.eventId = eventId;
        c.lastInRequest = lastInRequest;
        c.erasureRequestId = erasureRequestId;
        c.eventTimeMs = eventTimeMs;
        c.mpid = mpid;
        c.sourceTopic = sourceTopic;
        c.sourcePartition = sourcePartition;
        c.sourceOffset = sourceOffset;
        c.seq = seq;
        c.episode = episode;
        c.ackRequested = ackRequested;
        c.confirmRequired = confirmRequired;
        c.effects = effects;
        c.effectDetail = effectDetail;
        c.firstAttemptMs = firstAttemptMs;
        c.waits = waits;
        return c;
    }

    /** A marker that passes through delivery in its user's order and sends nothing. */
    public boolean isSeal() {
        return kind == OperationKind.SEAL;
    }

    /**
     * Sent in a request of its own: it names its own endpoint, is an identifier change (App API
     * look-ups, then a Track API call), a seal, or a deletion.
     */
    public boolean needsOwnRequest() {
        return path != null
                || kind == OperationKind.IDENTIFIER_CHANGE
                || kind == OperationKind.SEAL
                // Nothing documents that Customer.io applies a batch's operations in order: a
                // deletion goes alone, once the user's earlier requests are answered.
                || kind == OperationKind.DELETE;
    }

    @Override
    public String toString() {
        return "CustomerioOperation{"
                + kind
                + " user="
                + userKey
                + (path != null ? " " + method + " " + path : "")
                + (seq != UNSEQUENCED ? " seq=" + seq : "")
                + " bytes="
                + (body == null ? 0 : body.length)
                + '}';
    }
}
