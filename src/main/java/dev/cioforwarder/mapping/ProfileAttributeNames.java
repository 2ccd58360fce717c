package dev.cioforwarder.mapping;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** How mParticle user attribute names become Customer.io attribute names. */
public final class ProfileAttributeNames {

    /** mParticle's reserved attributes, matched case-insensitively ($FirstName, $firstname, …). */
    private static final Map<String, String> RESERVED =
            Map.of(
                    "$firstname", "first_name",
                    "$lastname", "last_name",
                    "$age", "age",
                    "$gender", "gender",
                    "$mobile", "phone",
                    "$address", "address",
                    "$city", "city",
                    "$state", "state",
                    "$zip", "zip",
                    "$country", "country");

    /**
     * Names Customer.io gives a meaning of its own. A user attribute with one of these names would
     * change who the person is or whether they get messages (an mParticle attribute called {@code
     * unsubscribed} must not resubscribe anyone), so it is never forwarded; the forwarder sets them
     * itself from identities, opt-outs and created_at.
     */
    private static final Set<String> CUSTOMERIO_CONTROLLED =
            Set.of(
                    "id",
                    "email",
                    "cio_id",
                    "created_at",
                    "unsubscribed",
                    "_timestamp",
                    "_update",
                    "anonymous_id",
                    "cio_subscription_preferences",
                    "cio_relationships");

    private ProfileAttributeNames() {}

    /** The Customer.io name for an mParticle attribute name. */
    public static String toCustomerio(String mparticleName) {
        if (!mparticleName.isEmpty() && mparticleName.charAt(0) == '$') {
            String mapped = RESERVED.get(mparticleName.toLowerCase(Locale.ROOT));
            if (mapped != null) {
                return mapped;
            }
        }
        return mparticleName;
    }

    /** Whether the mapped name is first_name or last_name: always sent, whatever the settings. */
    public static boolean isName(String customerioName) {
        return customerioName.equals("first_name") || customerioName.equals("last_name");
    }

    /**
     * Whether Customer.io would read the name as one of its own fields: a reserved name, a dotted
     * path into one ({@code cio_subscription_preferences.topics.topic_1} sets a subscription
     * preference), or any name in Customer.io's {@code cio_} namespace.
     */
    public static boolean isControlledByCustomerio(String customerioName) {
        if (CUSTOMERIO_CONTROLLED.contains(customerioName) || customerioName.startsWith("cio_")) {
            return true;
        }
        int dot = customerioName.indexOf('.');
        return dot > 0 && CUSTOMERIO_CONTROLLED.contains(customerioName.substring(0, dot));
    }
}
