package dev.cioforwarder.customerio;

import dev.cioforwarder.json.Attributes;

/**
 * What one identify says about a person: attributes already named as Customer.io names them and
 * already within Customer.io's limits, plus the fields the forwarder controls.
 */
public final class ProfileUpdate {

    /** The person's attributes (first and last name, email, user attributes, removals). */
    public final Attributes attributes = new Attributes();

    /** Non-null when an email-addressed person is given their Customer ID ({@code id}). */
    public String attachId;

    /** {@code created_at} in seconds, when it changed. */
    public Long createdAtSeconds;

    /**
     * {@code anonymous_id}, on the identify that makes a user known: Customer.io then associates
     * the anonymous events sent with that id (customerio.anonymous-events).
     */
    public String anonymousId;

    /** {@code unsubscribed}, when an opt-out (or, if enabled, an opt-in) changed it. */
    public Boolean unsubscribed;

    /** The batch time in seconds: orders updates in Customer.io. */
    public long timestampSeconds;

    /** Fields of the first operation only, besides the attributes. */
    public int controlFieldCount() {
        return (attachId != null ? 1 : 0)
                + (createdAtSeconds != null ? 1 : 0)
                + (unsubscribed != null ? 1 : 0)
                + (anonymousId != null ? 1 : 0);
    }
}
