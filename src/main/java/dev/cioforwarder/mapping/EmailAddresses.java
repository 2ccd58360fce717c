package dev.cioforwarder.mapping;

import dev.cioforwarder.json.Attributes;

/** When an mParticle email identity can serve as a Customer.io email identifier. */
public final class EmailAddresses {

    private EmailAddresses() {}

    /**
     * A plausible address: one {@code @} with text on both sides, no whitespace or control
     * characters, within Customer.io's 150-byte identifier limit. Anything else would address (and
     * create) a person no message can reach, so it is not used as an identifier. This is
     * deliberately not a full RFC 5322 check: Customer.io accepts what the mail provider accepts.
     */
    public static boolean isPlausible(String value) {
        int at = value.indexOf('@');
        if (at <= 0 || at == value.length() - 1 || value.indexOf('@', at + 1) >= 0) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c)
                    || Character.isISOControl(c)
                    || Character.isSpaceChar(c)) {
                return false;
            }
        }
        return Attributes.utf8Length(value) <= CustomerioLimits.MAX_IDENTIFIER_BYTES;
    }
}
