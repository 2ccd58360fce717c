package dev.cioforwarder.customerio;

/**
 * What a user's state records as sent when an operation is emitted ({@link
 * CustomerioOperation#effects}): Customer.io may still refuse it, and then the state must forget
 * it, so that the next batch sends it again. Bits of an int.
 */
public final class OperationEffects {

    /** The profile's attributes: the delta fingerprint. */
    public static final int PROFILE = 1;

    /** {@code created_at}. */
    public static final int CREATED_AT = 1 << 1;

    /** {@code unsubscribed: true}. */
    public static final int UNSUBSCRIBE = 1 << 2;

    /** {@code unsubscribed: false} (resubscribe-on-opt-in). */
    public static final int RESUBSCRIBE = 1 << 3;

    /**
     * An email-addressed person given their Customer ID; {@link CustomerioOperation#effectDetail}
     * is the email it was addressed by.
     */
    public static final int ATTACH = 1 << 4;

    /** The person's email, as Customer.io holds it. */
    public static final int EMAIL = 1 << 5;

    /** A push device added; {@link CustomerioOperation#effectDetail} is its token. */
    public static final int DEVICE_ADD = 1 << 6;

    /** A changed identifier applied through the App API (the operation's body says which). */
    public static final int IDENTIFIER_CHANGE = 1 << 7;

    private OperationEffects() {}

    public static boolean has(int effects, int effect) {
        return (effects & effect) != 0;
    }
}
