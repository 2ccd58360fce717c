package dev.cioforwarder.state;

/**
 * Which customer an email belongs to in Customer.io, as the job addresses people: the value of the
 * {@code email-owners} operator's keyed state (keyed by email, lower case), a Flink POJO. Upgrade
 * rules as for {@link UserState}: fields may only be added.
 */
public class EmailOwner {

    /** The id the owner is addressed by (their Customer ID, or MPID with User ID Type mpid). */
    public String ownerId;

    /** The batch time of the owner's newest batch carrying the email. */
    public long lastSeenMs = UserState.NONE;

    public EmailOwner() {}
}
