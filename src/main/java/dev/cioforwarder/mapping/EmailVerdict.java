package dev.cioforwarder.mapping;

/**
 * What the email index ({@link EmailOwnership}) answers a user who carries an email: it is theirs,
 * or another customer holds it in Customer.io. Sent keyed by the user to the user-state stage
 * ({@link UserStateMachine#applyEmailVerdict}). A Flink POJO: it crosses the keyBy shuffle.
 */
public class EmailVerdict {

    /** The keyBy key of the user. */
    public String userKey;

    /** The email, lower case. */
    public String email;

    /**
     * True: another customer holds it, so this user's identifies leave it out; false: it is this
     * user's (first seen with it, or the customer who held it was not seen with it for {@link
     * EmailOwnership#RELEASE_AFTER_DAYS} days).
     */
    public boolean ofAnotherCustomer;

    /** The user's MPID, or null. */
    public String mpid;

    /** The batch time of the claim it answers. */
    public long timeMs;

    // The claiming batch, for dead letters of the operations it causes.
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public EmailVerdict() {}

    @Override
    public String toString() {
        return "EmailVerdict{"
                + email
                + (ofAnotherCustomer ? " of another customer" : " theirs")
                + " for "
                + userKey
                + '}';
    }
}
