package dev.cioforwarder.state;

/**
 * Things the rules deliberately do not forward. These are specified behaviour, not errors, so they
 * are counted (metric {@code skipped}, label {@code reason}) rather than dead-lettered.
 */
public enum SkipReason {
    /** A batch of a user without the identity the User ID Type requires. */
    NO_IDENTITY("no_identity"),
    /** An event of a user who is opted out. */
    OPTED_OUT("opted_out"),
    /** A profile update held back while the user is opted out. */
    PROFILE_OPTED_OUT("profile_opted_out"),
    /**
     * A profile update from a batch older than the newest identify sent (a late upload):
     * Customer.io would ignore it as stale.
     */
    PROFILE_LATE("profile_late"),
    /** An attribute whose name is over 150 bytes. */
    ATTRIBUTE_NAME_TOO_LONG("attribute_name_too_long"),
    /** An attribute whose value is over 1000 bytes. */
    ATTRIBUTE_VALUE_TOO_LONG("attribute_value_too_long"),
    /**
     * A user attribute named like a field Customer.io controls ({@code id}, {@code unsubscribed}…).
     */
    ATTRIBUTE_RESERVED_NAME("attribute_reserved_name"),
    /** A Customer ID or email over 150 bytes, which Customer.io cannot use as an identifier. */
    IDENTIFIER_TOO_LONG("identifier_too_long"),
    /**
     * The identity the settings choose differs from the one Customer.io knows the user by (a
     * changed Customer ID); the user stays addressed by the first one, so no second profile
     * appears.
     */
    IDENTIFIER_CHANGED("identifier_changed"),
    /**
     * The email of a user addressed by email changed; Customer.io cannot change an identifier
     * addressed by itself, so the person keeps the first email.
     */
    EMAIL_CHANGE_NOT_APPLIED("email_change_not_applied");

    private final String code;

    SkipReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
