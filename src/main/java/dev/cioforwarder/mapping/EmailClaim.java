package dev.cioforwarder.mapping;

/**
 * A batch of a user addressed by id who carries an email, as the parse side tells the email index
 * ({@link EmailOwnership}), keyed by the email. A Flink POJO: it crosses the keyBy shuffle.
 */
public class EmailClaim {

    /** The email, lower case: the keyBy key. */
    public String email;

    /** The id the user is addressed by (Customer ID, or MPID with User ID Type mpid). */
    public String id;

    /** The keyBy key of the batch's user. */
    public String userKey;

    /** The batch's MPID, as text, or null. */
    public String mpid;

    /** The batch time. */
    public long timeMs;

    // Where the batch came from, for dead letters of the operations it causes.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public EmailClaim() {}

    @Override
    public String toString() {
        return "EmailClaim{" + email + " by " + id + " at " + timeMs + '}';
    }
}
