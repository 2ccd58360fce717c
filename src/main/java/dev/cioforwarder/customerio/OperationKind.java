package dev.cioforwarder.customerio;

/** The Customer.io person operations the forwarder sends. */
public enum OperationKind {
    IDENTIFY,
    EVENT,
    SCREEN,
    /** The person's deletion (an erasure request). */
    DELETE,
    /**
     * A changed Customer ID or email applied through the App API and the person's cio_id (see
     * {@code IdentifierChange}): a request sequence of its own, not a Track API body.
     */
    IDENTIFIER_CHANGE,
    /** A push token added to (or updated on) the person: v2 {@code add_device}. */
    ADD_DEVICE,
    /** A push token removed from the person: v2 {@code delete_device}. */
    DELETE_DEVICE,
    /**
     * Not sent to Customer.io: a marker a waiting user's state sends through delivery in the user's
     * order, which comes back once every operation of the user ahead of it has (see {@code
     * UserLane}).
     */
    SEAL
}
