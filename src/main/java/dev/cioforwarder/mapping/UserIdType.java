package dev.cioforwarder.mapping;

import dev.cioforwarder.codes.Coded;

/** The "User ID Type" setting: which identity a user needs to be forwarded, and is addressed by. */
public enum UserIdType implements Coded {
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

    @Override
    public String code() {
        return code;
    }

    /** The code: what settings, logs and Flink's enum options read and write. */
    @Override
    public String toString() {
        return code;
    }
}
