package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The rules' settings: the defaults docs/settings.md lists, a builder that changes one setting and
 * keeps the others, and whether an email change goes to a person addressed by id.
 */
class MappingSettingsTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        MappingSettings d = MappingSettings.defaults();
        assertThat(d.userIdType()).isEqualTo(UserIdType.PREFER_CUSTOMER_ID);
        assertThat(d.includeUserAttributes()).isTrue();
        assertThat(d.sendCreatedAt()).isFalse();
        assertThat(d.createdAtPolicy()).isEqualTo(CreatedAtPolicy.FIRST_SEEN);
        assertThat(d.resubscribeOnOptIn()).isFalse();
        assertThat(d.updateEmailById()).isFalse();
        assertThat(d.workspaceIdentifiers()).isEqualTo(WorkspaceIdentifiers.EMAIL_AND_ID);
        assertThat(d.allowMessageRoutingProperties()).isFalse();
        assertThat(d.forwardDevices()).isFalse();
        assertThat(d.deviceRefreshIntervalMs()).isEqualTo(86_400_000L);
        assertThat(d.commerceEventNames()).isEqualTo(CommerceEventNames.MPARTICLE);
        assertThat(d.commerceEventPrefix()).isEmpty();
        assertThat(d.anonymousEvents()).isFalse();
        assertThat(d.anonymousEventsInBatch()).isTrue();
        assertThat(d.guardSharedEmails()).isFalse();
        assertThat(d.forwardCommerceEvents()).isTrue();
        assertThat(d.applyIdentifierChanges()).isFalse();
        assertThat(d.apiMode()).isEqualTo(ApiMode.V2_BATCH);
        assertThat(d.environments()).isSameAs(Environments.ALL);
    }

    @Test
    void printsEverySettingByItsKey() {
        assertThat(MappingSettings.defaults().toString())
                .isEqualTo(
                        "user-id-type=prefer_customer_id, include-user-attributes=true,"
                                + " send-created-at=false, created-at-policy=first-seen,"
                                + " resubscribe-on-opt-in=false, update-email-by-id=false,"
                                + " workspace-identifiers=email_and_id,"
                                + " allow-message-routing-properties=false, forward-devices=false,"
                                + " environments="
                                + Environments.ALL
                                + ", device-refresh-interval=86400000ms, anonymous-events=false,"
                                + " anonymous-events-in-batch=true, guard-shared-emails=false,"
                                + " forward-commerce-events=true, commerce-event-names=mparticle,"
                                + " commerce-event-prefix=, identifier-changes=false,"
                                + " api-mode=v2-batch");
    }

    @Test
    void theBuilderSetsEachSetting() {
        MappingSettings s =
                MappingSettings.builder()
                        .userIdType(UserIdType.MPID)
                        .includeUserAttributes(false)
                        .sendCreatedAt(true)
                        .createdAtPolicy(CreatedAtPolicy.FIRST_RUN_ONLY)
                        .resubscribeOnOptIn(true)
                        .updateEmailById(true)
                        .workspaceIdentifiers(WorkspaceIdentifiers.ID_ONLY)
                        .allowMessageRoutingProperties(true)
                        .forwardDevices(true)
                        .deviceRefreshInterval(Duration.ofHours(6))
                        .anonymousEvents(true)
                        .anonymousEventsInBatch(false)
                        .guardSharedEmails(true)
                        .forwardCommerceEvents(false)
                        .commerceEventNames(CommerceEventNames.SEMANTIC)
                        .commerceEventPrefix("shop_")
                        .applyIdentifierChanges(true)
                        .apiMode(ApiMode.V1)
                        .build();
        assertThat(s.userIdType()).isEqualTo(UserIdType.MPID);
        assertThat(s.includeUserAttributes()).isFalse();
        assertThat(s.sendCreatedAt()).isTrue();
        assertThat(s.createdAtPolicy()).isEqualTo(CreatedAtPolicy.FIRST_RUN_ONLY);
        assertThat(s.resubscribeOnOptIn()).isTrue();
        assertThat(s.updateEmailById()).isTrue();
        assertThat(s.workspaceIdentifiers()).isEqualTo(WorkspaceIdentifiers.ID_ONLY);
        assertThat(s.allowMessageRoutingProperties()).isTrue();
        assertThat(s.forwardDevices()).isTrue();
        assertThat(s.deviceRefreshIntervalMs()).isEqualTo(21_600_000L);
        assertThat(s.anonymousEvents()).isTrue();
        assertThat(s.anonymousEventsInBatch()).isFalse();
        assertThat(s.guardSharedEmails()).isTrue();
        assertThat(s.forwardCommerceEvents()).isFalse();
        assertThat(s.commerceEventNames()).isEqualTo(CommerceEventNames.SEMANTIC);
        assertThat(s.commerceEventPrefix()).isEqualTo("shop_");
        assertThat(s.applyIdentifierChanges()).isTrue();
        assertThat(s.apiMode()).isEqualTo(ApiMode.V1);

        // toBuilder starts from every setting of the original.
        assertThat(s.toBuilder().build()).hasToString(s.toString());
    }

    @Test
    void withChangesOneSettingAndKeepsTheRest() {
        MappingSettings base =
                MappingSettings.builder().forwardDevices(true).commerceEventPrefix("shop_").build();
        MappingSettings v1 = base.withApiMode(ApiMode.V1);
        assertThat(v1.apiMode()).isEqualTo(ApiMode.V1);
        assertThat(v1.forwardDevices()).isTrue();
        assertThat(v1.commerceEventPrefix()).isEqualTo("shop_");
        assertThat(base.apiMode()).as("the original is unchanged").isEqualTo(ApiMode.V2_BATCH);

        assertThat(base.withUserIdType(UserIdType.EMAIL).userIdType()).isEqualTo(UserIdType.EMAIL);
        assertThat(base.withIncludeUserAttributes(false).includeUserAttributes()).isFalse();
        assertThat(base.withSendCreatedAt(true).sendCreatedAt()).isTrue();
        assertThat(base.withResubscribeOnOptIn(true).resubscribeOnOptIn()).isTrue();
        assertThat(base.withResubscribeOnOptIn(true).forwardDevices()).isTrue();
    }

    @Test
    void emailChangesGoByIdWhenTheWorkspaceAllowsItOrEmailIsNoIdentifier() {
        MappingSettings d = MappingSettings.defaults();
        assertThat(d.emailChangesById()).isFalse();
        assertThat(d.toBuilder().updateEmailById(true).build().emailChangesById()).isTrue();
        assertThat(
                        d.toBuilder()
                                .workspaceIdentifiers(WorkspaceIdentifiers.ID_ONLY)
                                .build()
                                .emailChangesById())
                .isTrue();
        assertThat(
                        d.toBuilder()
                                .workspaceIdentifiers(WorkspaceIdentifiers.ID_ONLY)
                                .updateEmailById(true)
                                .build()
                                .emailChangesById())
                .isTrue();
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws IOException, ClassNotFoundException {
        MappingSettings s =
                MappingSettings.builder()
                        .userIdType(UserIdType.CUSTOMER_ID)
                        .commerceEventPrefix("shop_")
                        .apiMode(ApiMode.V1)
                        .build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            MappingSettings back = (MappingSettings) in.readObject();
            assertThat(back).hasToString(s.toString());
            assertThat(back.userIdType()).isEqualTo(UserIdType.CUSTOMER_ID);
        }
    }
}
