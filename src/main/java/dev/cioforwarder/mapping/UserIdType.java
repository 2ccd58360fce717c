package dev.cioforwarder.mapping;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The "User ID Type" setting: which identity a user needs to be forwarded, and is addressed by. */
public enum UserIdType {
    /** Customer ID when the user has one, else email (mParticle's default). */
    PREFER_CUSTOMER_ID("prefer_customer_id"),
    CUSTOMER_ID("customer_id"),
    EMAIL("email"),
    /** The mParticle ID, as the Customer.io {@code id}. */
    MPID("mpid");

    private final String code;

    UserIdType(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** The code: what settings, logs and Flink's enum options read and write. */
    @Override
    public String toString() {
        return code;
    }

    public static UserIdType fromCode(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (UserIdType type : values()) {
            if (type.code.equals(normalized)) {
                return type;
            }
        }
        throw new IllegalArgumentException('"' + value + "\" is not one of " + accepted());
    }

    public static String accepted() {
        return Arrays.stream(values()).map(UserIdType::code).collect(Collectors.joining(", "));
    }
}
