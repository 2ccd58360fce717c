package dev.cioforwarder.mapping;

import dev.cioforwarder.customerio.ApiMode;
import java.io.Serializable;

/** The settings the mapping rules read (a validated, immutable part of the job's settings). */
public final class MappingSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    private final UserIdType userIdType;
    private final boolean includeUserAttributes;
    private final boolean sendCreatedAt;
    private final CreatedAtPolicy createdAtPolicy;
    private final boolean resubscribeOnOptIn;
    private final boolean updateEmailById;
    private final WorkspaceIdentifiers workspaceIdentifiers;
    private final boolean allowMessageRoutingProperties;
    private final boolean forwardDevices;
    private final Environments environments;
    private final long deviceRefreshIntervalMs;
    private final boolean anonymousEvents;
    private final boolean anonymousEventsInBatch;
    private final boolean guardSharedEmails;
    private final boolean forwardCommerceEvents;
    private final CommerceEventNames commerceEventNames;
    private final String commerceEventPrefix;
    private final boolean applyIdentifierChanges;
    private final ApiMode apiMode;

    private MappingSettings(Builder b) {
        this.userIdType = b.userIdType;
        this.includeUserAttributes = b.includeUserAttributes;
        this.sendCreatedAt = b.sendCreatedAt;
        this.createdAtPolicy = b.createdAtPolicy;
        this.resubscribeOnOptIn = b.resubscribeOnOptIn;
        this.updateEmailById = b.updateEmailById;
        this.workspaceIdentifiers = b.workspaceIdentifiers;
        this.allowMessageRoutingProperties = b.allowMessageRoutingProperties;
        this.forwardDevices = b.forwardDevices;
        this.environments = b.environments;
        this.deviceRefreshIntervalMs = b.deviceRefreshIntervalMs;
        this.anonymousEvents = b.anonymousEvents;
        this.anonymousEventsInBatch = b.anonymousEventsInBatch;
        this.guardSharedEmails = b.guardSharedEmails;
        this.forwardCommerceEvents = b.forwardCommerceEvents;
        this.commerceEventNames = b.commerceEventNames;
        this.commerceEventPrefix = b.commerceEventPrefix;
        this.applyIdentifierChanges = b.applyIdentifierChanges;
        this.apiMode = b.apiMode;
    }

    /** The documented defaults. */
    public static MappingSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.userIdType = userIdType;
        b.includeUserAttributes = includeUserAttributes;
        b.sendCreatedAt = sendCreatedAt;
        b.createdAtPolicy = createdAtPolicy;
        b.resubscribeOnOptIn = resubscribeOnOptIn;
        b.updateEmailById = updateEmailById;
        b.workspaceIdentifiers = workspaceIdentifiers;
        b.allowMessageRoutingProperties = allowMessageRoutingProperties;
        b.forwardDevices = forwardDevices;
        b.environments = environments;
        b.deviceRefreshIntervalMs = deviceRefreshIntervalMs;
        b.anonymousEvents = anonymousEvents;
        b.anonymousEventsInBatch = anonymousEventsInBatch;
        b.guardSharedEmails = guardSharedEmails;
        b.forwardCommerceEvents = forwardCommerceEvents;
        b.commerceEventNames = commerceEventNames;
        b.commerceEventPrefix = commerceEventPrefix;
        b.applyIdentifierChanges = applyIdentifierChanges;
        b.apiMode = apiMode;
        return b;
    }

    /** {@code customerio.user-id-type}. */
    public UserIdType userIdType() {
        return userIdType;
    }

    /** {@code customerio.include-user-attributes}. */
    public boolean includeUserAttributes() {
        return includeUserAttributes;
    }

    /** {@code customerio.send-created-at}. */
    public boolean sendCreatedAt() {
        return sendCreatedAt;
    }

    /** {@code customerio.created-at-policy}. */
    public CreatedAtPolicy createdAtPolicy() {
        return createdAtPolicy;
    }

    /** {@code customerio.resubscribe-on-opt-in}. */
    public boolean resubscribeOnOptIn() {
        return resubscribeOnOptIn;
    }

    /**
     * {@code customerio.update-email-by-id}: the workspace has "Allow updates to email using ID"
     * on, so a changed email can be sent to a person addressed by id.
     */
    public boolean updateEmailById() {
        return updateEmailById;
    }

    /** {@code customerio.workspace-identifiers}. */
    public WorkspaceIdentifiers workspaceIdentifiers() {
        return workspaceIdentifiers;
    }

    /**
     * Whether a changed email goes to a person addressed by id in their identify: the workspace
     * allows email updates by id, or (ID only) email is an ordinary attribute there.
     */
    public boolean emailChangesById() {
        return updateEmailById || !workspaceIdentifiers.emailIsIdentifier();
    }

    /** {@code customerio.allow-message-routing-properties}. */
    public boolean allowMessageRoutingProperties() {
        return allowMessageRoutingProperties;
    }

    /** {@code customerio.forward-devices}: push tokens become Customer.io devices. */
    public boolean forwardDevices() {
        return forwardDevices;
    }

    /**
     * {@code customerio.device-refresh-interval} in milliseconds: a device seen again this much
     * later than it was last sent goes again with the newer last_used; 0: never.
     */
    public long deviceRefreshIntervalMs() {
        return deviceRefreshIntervalMs;
    }

    /** {@code mparticle.environments}: which batches are forwarded at all. */
    public Environments environments() {
        return environments;
    }

    /** {@code customerio.anonymous-events}: events of users without identity go by MPID. */
    public boolean anonymousEvents() {
        return anonymousEvents;
    }

    /**
     * {@code customerio.anonymous-events-in-batch}: in {@code v2-batch} mode, anonymous events go
     * into {@code /api/v2/batch} by {@code identifiers.anonymous_id} instead of one {@code POST
     * /api/v1/events} each.
     */
    public boolean anonymousEventsInBatch() {
        return anonymousEventsInBatch;
    }

    /**
     * customerio.guard-shared-emails: an email another customer holds in Customer.io is left out of
     * identifies by id ({@link EmailOwnership}).
     */
    public boolean guardSharedEmails() {
        return guardSharedEmails;
    }

    /** {@code customerio.forward-commerce-events}: purchases and other commerce events. */
    public boolean forwardCommerceEvents() {
        return forwardCommerceEvents;
    }

    /** {@code customerio.commerce-event-names}: mParticle's action names or semantic ones. */
    public CommerceEventNames commerceEventNames() {
        return commerceEventNames;
    }

    /** {@code customerio.commerce-event-prefix}: put before every commerce event's name. */
    public String commerceEventPrefix() {
        return commerceEventPrefix;
    }

    /**
     * An App API key is configured ({@code customerio.app-api-key-env} or {@code -file}): a changed
     * email or Customer ID is applied through the person's cio_id.
     */
    public boolean applyIdentifierChanges() {
        return applyIdentifierChanges;
    }

    /** {@code customerio.api-mode}. */
    public ApiMode apiMode() {
        return apiMode;
    }

    public MappingSettings withUserIdType(UserIdType value) {
        return toBuilder().userIdType(value).build();
    }

    public MappingSettings withIncludeUserAttributes(boolean value) {
        return toBuilder().includeUserAttributes(value).build();
    }

    public MappingSettings withSendCreatedAt(boolean value) {
        return toBuilder().sendCreatedAt(value).build();
    }

    public MappingSettings withResubscribeOnOptIn(boolean value) {
        return toBuilder().resubscribeOnOptIn(value).build();
    }

    public MappingSettings withApiMode(ApiMode value) {
        return toBuilder().apiMode(value).build();
    }

    @Override
    public String toString() {
        return "user-id-type="
                + userIdType.code()
                + ", include-user-attributes="
                + includeUserAttributes
                + ", send-created-at="
                + sendCreatedAt
                + ", created-at-policy="
                + createdAtPolicy.code()
                + ", resubscribe-on-opt-in="
                + resubscribeOnOptIn
                + ", update-email-by-id="
                + updateEmailById
                + ", workspace-identifiers="
                + workspaceIdentifiers.code()
                + ", allow-message-routing-properties="
                + allowMessageRoutingProperties
                + ", forward-devices="
                + forwardDevices
                + ", environments="
                + environments
                + ", device-refresh-interval="
                + deviceRefreshIntervalMs
                + "ms"
                + ", anonymous-events="
                + anonymousEvents
                + ", anonymous-events-in-batch="
                + anonymousEventsInBatch
                + ", guard-shared-emails="
                + guardSharedEmails
                + ", forward-commerce-events="
                + forwardCommerceEvents
                + ", commerce-event-names="
                + commerceEventNames.code()
                + ", commerce-event-prefix="
                + commerceEventPrefix
                + ", identifier-changes="
                + applyIdentifierChanges
                + ", api-mode="
                + apiMode.code();
    }

    /**
     * Starts from the documented defaults. They are written here and nowhere else: the job's
     * settings ({@code ForwarderOptions}) take these as the defaults of their options.
     */
    public static final class Builder {
        private UserIdType userIdType = UserIdType.PREFER_CUSTOMER_ID;
        private boolean includeUserAttributes = true;
        private boolean sendCreatedAt = false;
        private CreatedAtPolicy createdAtPolicy = CreatedAtPolicy.FIRST_SEEN;
        private boolean resubscribeOnOptIn = false;
        private boolean updateEmailById = false;
        private WorkspaceIdentifiers workspaceIdentifiers = WorkspaceIdentifiers.EMAIL_AND_ID;
        private boolean allowMessageRoutingProperties = false;
        private boolean forwardDevices = false;
        private Environments environments = Environments.ALL;
        private long deviceRefreshIntervalMs = java.time.Duration.ofDays(1).toMillis();
        private boolean anonymousEvents = false;
        private boolean anonymousEventsInBatch = true;
        private boolean guardSharedEmails = false;
        private boolean forwardCommerceEvents = true;
        private CommerceEventNames commerceEventNames = CommerceEventNames.MPARTICLE;
        private String commerceEventPrefix = "";
        private boolean applyIdentifierChanges = false;
        private ApiMode apiMode = ApiMode.V2_BATCH;

        private Builder() {}

        public Builder userIdType(UserIdType value) {
            userIdType = value;
            return this;
        }

        public Builder includeUserAttributes(boolean value) {
            includeUserAttributes = value;
            return this;
        }

        public Builder sendCreatedAt(boolean value) {
            sendCreatedAt = value;
            return this;
        }

        public Builder createdAtPolicy(CreatedAtPolicy value) {
            createdAtPolicy = value;
            return this;
        }

        public Builder resubscribeOnOptIn(boolean value) {
            resubscribeOnOptIn = value;
            return this;
        }

        public Builder workspaceIdentifiers(WorkspaceIdentifiers value) {
            workspaceIdentifiers = value;
            return this;
        }

        public Builder updateEmailById(boolean value) {
            updateEmailById = value;
            return this;
        }

        public Builder allowMessageRoutingProperties(boolean value) {
            allowMessageRoutingProperties = value;
            return this;
        }

        public Builder forwardDevices(boolean value) {
            forwardDevices = value;
            return this;
        }

        public Builder deviceRefreshInterval(java.time.Duration value) {
            deviceRefreshIntervalMs = value.toMillis();
            return this;
        }

        public Builder environments(Environments value) {
            environments = value;
            return this;
        }

        public Builder anonymousEvents(boolean value) {
            anonymousEvents = value;
            return this;
        }

        public Builder anonymousEventsInBatch(boolean value) {
            anonymousEventsInBatch = value;
            return this;
        }

        public Builder guardSharedEmails(boolean value) {
            guardSharedEmails = value;
            return this;
        }

        public Builder forwardCommerceEvents(boolean value) {
            forwardCommerceEvents = value;
            return this;
        }

        public Builder commerceEventNames(CommerceEventNames value) {
            commerceEventNames = value;
            return this;
        }

        public Builder commerceEventPrefix(String value) {
            commerceEventPrefix = value;
            return this;
        }

        public Builder applyIdentifierChanges(boolean value) {
            applyIdentifierChanges = value;
            return this;
        }

        public Builder apiMode(ApiMode value) {
            apiMode = value;
            return this;
        }

        public MappingSettings build() {
            return new MappingSettings(this);
        }
    }
}
