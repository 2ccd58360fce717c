package dev.cioforwarder.mapping;

import dev.cioforwarder.json.Attributes;

/** The event and screen name rule: trim, then every space becomes {@code _}. */
public final class EventNames {

    private EventNames() {}

    /** {@code " Add To Cart "} → {@code "Add_To_Cart"}. Never truncates: see {@link #check}. */
    public static String normalize(String raw) {
        return raw.strip().replace(' ', '_');
    }

    /** Null when the normalized name is acceptable, else why not. */
    public static String check(String normalized) {
        if (normalized.isEmpty()) {
            return "empty after trimming";
        }
        int bytes = Attributes.utf8Length(normalized);
        if (bytes > CustomerioLimits.MAX_EVENT_NAME_BYTES) {
            return bytes
                    + " bytes; Customer.io accepts at most "
                    + CustomerioLimits.MAX_EVENT_NAME_BYTES;
        }
        return null;
    }
}
