package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.ApiMode;
import java.io.Serializable;

/** The settings the mapping rules read (a validated, immutable part of the job's settings). */
public final class MappingSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final UserIdType userIdType;
    private final boolean includeUserAttributes;
    private final boolean sendCreatedAt;
    private final boolean resubscribeOnOptIn;
    private final ApiMode apiMode;

    public MappingSettings(
            UserIdType userIdType,
            boolean includeUserAttributes,
            boolean sendCreatedAt,
            boolean resubscribeOnOptIn,
            ApiMode apiMode) {
        this.userIdType = userIdType;
        this.includeUserAttributes = includeUserAttributes;
        this.sendCreatedAt = sendCreatedAt;
        this.resubscribeOnOptIn = resubscribeOnOptIn;
        this.apiMode = apiMode;
    }

    /** The documented defaults. */
    public static MappingSettings defaults() {
        return new MappingSettings(
                UserIdType.PREFER_CUSTOMER_ID, true, false, false, ApiMode.V2_BATCH);
    }

    public UserIdType userIdType() {
        return userIdType;
    }

    public boolean includeUserAttributes() {
        return includeUserAttributes;
    }

    public boolean sendCreatedAt() {
        return sendCreatedAt;
    }

    public boolean resubscribeOnOptIn() {
        return resubscribeOnOptIn;
    }

    public ApiMode apiMode() {
        return apiMode;
    }

    public MappingSettings withUserIdType(UserIdType value) {
        return new MappingSettings(
                value, includeUserAttributes, sendCreatedAt, resubscribeOnOptIn, apiMode);
    }

    public MappingSettings withIncludeUserAttributes(boolean value) {
        return new MappingSettings(userIdType, value, sendCreatedAt, resubscribeOnOptIn, apiMode);
    }

    public MappingSettings withSendCreatedAt(boolean value) {
        return new MappingSettings(
                userIdType, includeUserAttributes, value, resubscribeOnOptIn, apiMode);
    }

    public MappingSettings withResubscribeOnOptIn(boolean value) {
        return new MappingSettings(
                userIdType, includeUserAttributes, sendCreatedAt, value, apiMode);
    }

    public MappingSettings withApiMode(ApiMode value) {
        return new MappingSettings(
                userIdType, includeUserAttributes, sendCreatedAt, resubscribeOnOptIn, value);
    }

    @Override
    public String toString() {
        return "user-id-type="
                + userIdType.code()
                + ", include-user-attributes="
                + includeUserAttributes
                + ", send-created-at="
                + sendCreatedAt
                + ", resubscribe-on-opt-in="
                + resubscribeOnOptIn
                + ", api-mode="
                + apiMode.code();
    }
}
