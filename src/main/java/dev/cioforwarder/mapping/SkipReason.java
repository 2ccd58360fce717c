package dev.cioforwarder.mapping;

/**
 * Things the rules deliberately do not forward. These are specified behaviour, not errors, so they
 * are counted (metric {@code skipped}, label {@code reason}) rather than dead-lettered.
 */
public enum SkipReason {
    /** A batch of a user without the identity the User ID Type requires. */
    NO_IDENTITY("no_identity"),
    /** A batch of an erased user, older than the erasure request: never forwarded. */
    ERASED("erased"),
    /** An event of a user who is opted out at the event's time. */
    OPTED_OUT("opted_out"),
    /** A profile update held back while the user is opted out. */
    PROFILE_OPTED_OUT("profile_opted_out"),
    /**
     * A profile update from a batch older than the newest batch seen for the user (a late upload, a
     * replay): it would write older data over newer.
     */
    PROFILE_LATE("profile_late"),
    /** An attribute whose name is over 150 bytes, or empty. */
    ATTRIBUTE_NAME_TOO_LONG("attribute_name_too_long"),
    /** An attribute whose value is over 1000 bytes. */
    ATTRIBUTE_VALUE_TOO_LONG("attribute_value_too_long"),
    /**
     * A user attribute named like a field Customer.io controls ({@code id}, {@code unsubscribed},
     * {@code cio_subscription_preferences.topics.x}…).
     */
    ATTRIBUTE_RESERVED_NAME("attribute_reserved_name"),
    /** An attribute beyond the 300 a Customer.io person can hold. */
    ATTRIBUTE_LIMIT("attribute_limit"),
    /**
     * A name of {@code deleted_user_attributes} beyond the 300 removals one batch contributes, or
     * beyond the 300 a user keeps while their profile is held back (a person holds at most 300
     * attributes, so no more can be there to remove): not removed. Bounds what a hostile batch
     * listing 100,000 names costs.
     */
    DELETED_ATTRIBUTES_LIMIT("deleted_attributes_limit"),
    /** A Customer ID or email over 150 bytes, which Customer.io cannot use as an identifier. */
    IDENTIFIER_TOO_LONG("identifier_too_long"),
    /** An email identity that cannot be an address (no {@code @}, spaces…): not an identifier. */
    EMAIL_IMPLAUSIBLE("email_implausible"),
    /**
     * The identity the settings choose differs from the one Customer.io knows the user by (a
     * changed Customer ID); the user stays addressed by the first one, so no second profile
     * appears.
     */
    IDENTIFIER_CHANGED("identifier_changed"),
    /**
     * A changed email Customer.io would not apply: the email of a person addressed by email, or of
     * a person addressed by id without {@code customerio.update-email-by-id}. The person keeps the
     * email Customer.io has.
     */
    EMAIL_CHANGE_NOT_APPLIED("email_change_not_applied"),
    /**
     * A changed identifier Customer.io refused for the person before (it belongs to someone else:
     * an {@code identifier_conflict} dead letter): the person stays addressed as Customer.io knows
     * them, and the change is not tried again.
     */
    IDENTIFIER_REFUSED("identifier_refused"),
    /** A {@code screen_view} without {@code screen_name}: Customer.io needs a name. */
    SCREEN_NAME_MISSING("screen_name_missing"),
    /**
     * A {@code screen_view} that records leaving the screen: the Android SDK logs a screen view
     * with {@code activity_type: activity_stopped} when an activity stops (and its own kits ignore
     * it); the entry ({@code activity_started}) is the screen view.
     */
    SCREEN_EXIT("screen_exit"),
    /**
     * An event or first-run time that cannot be a device's first-seen time (before 2000, or more
     * than a day after its batch): not used for created_at.
     */
    DEVICE_TIME_IMPLAUSIBLE("device_time_implausible"),
    /**
     * A push token that cannot be one (empty, holding whitespace or control characters, over 1,000
     * bytes), a {@code push_registration} that does not say {@code register}, or an {@code
     * uninstall} of a batch naming no push token: no device is added or deleted.
     */
    DEVICE_TOKEN_INVALID("device_token_invalid"),
    /**
     * A push token registered on a platform Customer.io cannot send push to (only iOS and Android:
     * not web, Fire TV, Roku…), or by a batch naming no platform: the device is not added.
     */
    DEVICE_PLATFORM_UNSUPPORTED("device_platform_unsupported"),
    /**
     * A push token moved to another user whom Customer.io knows as the same person (two MPIDs
     * sharing the identifier the User ID Type addresses by): its deletion from this user is not
     * sent, so the person keeps the device the other user's addition gives them.
     */
    DEVICE_STAYS_WITH_PERSON("device_stays_with_person"),
    /**
     * A {@code commerce_event} with no product action, promotion action or impressions: nothing to
     * name it after.
     */
    COMMERCE_ACTION_MISSING("commerce_action_missing"),
    /**
     * A {@code commerce_event} whose product action or promotion action is not one mParticle
     * defines.
     */
    COMMERCE_ACTION_UNKNOWN("commerce_action_unknown"),
    /**
     * A batch of an mParticle environment {@code mparticle.environments} does not forward (e.g.
     * development data in the production job): nothing of it goes anywhere, and no state changes.
     */
    ENVIRONMENT_NOT_FORWARDED("environment_not_forwarded"),
    /**
     * An email left out of an identify addressed by id because another customer holds it in
     * Customer.io (see {@link EmailOwnership}): sent, it would give that person this user's id.
     */
    EMAIL_OF_ANOTHER_CUSTOMER("email_of_another_customer");

    private final String code;

    SkipReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
