package dev.cioforwarder.privacy;

/**
 * What became of an erasure request, written to {@code privacy.erasure-outcome-topic} exactly once.
 * A Flink POJO.
 */
public class ErasureOutcome {

    /** The person was deleted in Customer.io and the forwarder's state was cleared. */
    public static final String DONE = "done";

    /**
     * Neither the forwarder nor the request knew an identifier Customer.io could delete by: the
     * state was cleared, nothing was sent.
     */
    public static final String NOT_FOUND = "not_found";

    /** Customer.io refused the deletion (its dead letter has the reason); the state was cleared. */
    public static final String FAILED = "failed";

    public String requestId;
    public String mpid;
    public String outcome;
    public String detail;
    public long atMs;

    public ErasureOutcome() {}

    public static ErasureOutcome of(
            String requestId, String mpid, String outcome, String detail, long atMs) {
        ErasureOutcome o = new ErasureOutcome();
        o.requestId = requestId;
        o.mpid = mpid;
        o.outcome = outcome;
        o.detail = detail;
        o.atMs = atMs;
        return o;
    }
}
