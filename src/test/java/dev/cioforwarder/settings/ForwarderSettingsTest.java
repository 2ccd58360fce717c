package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.delivery.ApiKeySource;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.mapping.UserIdType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForwarderSettingsTest {

    @TempDir Path dir;

    /** The fewest settings a job starts with. */
    static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("customerio.site-id", "site");
        m.put("kafka.bootstrap-servers", "127.0.0.1:9092");
        return m;
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        ForwarderSettings s = ForwarderSettings.fromMap(minimal());
        assertThat(s.region()).isEqualTo(Region.US);
        assertThat(s.trackUrl()).isEqualTo("https://track.customer.io");
        assertThat(s.mapping().userIdType()).isEqualTo(UserIdType.PREFER_CUSTOMER_ID);
        assertThat(s.mapping().includeUserAttributes()).isTrue();
        assertThat(s.mapping().sendCreatedAt()).isFalse();
        assertThat(s.mapping().resubscribeOnOptIn()).isFalse();
        assertThat(s.apiMode()).isEqualTo(ApiMode.V2_BATCH);
        assertThat(s.rateLimitPerSecond()).isEqualTo(100.0);
        assertThat(s.topics()).containsExactly("mparticle-batches");
        assertThat(s.deadLetterTopic()).isEqualTo("mparticle-batches.customerio-dlq");
        assertThat(s.maxRetryDuration()).isNull();
        assertThat(s.stateTtl()).isNull();
        assertThat(s.maxParallelism()).isEqualTo(720);
        assertThat(s.mapping().workspaceIdentifiers())
                .isEqualTo(dev.cioforwarder.mapping.WorkspaceIdentifiers.EMAIL_AND_ID);
        assertThat(s.appApiLagGrace()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(s.deliverySettings().emailIsIdentifier()).isTrue();
    }

    @Test
    void anIdOnlyWorkspaceRefusesEveryUserIdTypeThatAddressesPeopleByEmail() {
        for (String type : new String[] {"email", "prefer_customer_id"}) {
            Map<String, String> m = minimal();
            m.put("customerio.workspace-identifiers", "id_only");
            m.put("customerio.user-id-type", type);
            assertThatThrownBy(() -> ForwarderSettings.fromMap(m))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("setting customerio.user-id-type: \"" + type + "\"")
                    .hasMessageContaining("ID-only workspace")
                    .hasMessageContaining("expected customer_id or mpid");
            // The preview validates the mapping settings alone, with the same message.
            assertThatThrownBy(() -> ForwarderSettings.mappingSettings(m))
                    .hasMessageContaining("expected customer_id or mpid");
        }
        for (String type : new String[] {"customer_id", "mpid"}) {
            Map<String, String> m = minimal();
            m.put("customerio.workspace-identifiers", "ID_ONLY");
            m.put("customerio.user-id-type", type);
            ForwarderSettings s = ForwarderSettings.fromMap(m);
            assertThat(s.mapping().emailChangesById()).isTrue();
            assertThat(s.deliverySettings().emailIsIdentifier()).isFalse();
        }
        assertRejected(
                "customerio.workspace-identifiers", "email", "expected email_and_id, id_only");
    }

    @Test
    void theAppApiLagGraceIsADurationAndZeroTurnsItOff() {
        assertThat(settings("customerio.app-api-lag-grace", "5s").appApiLagGrace())
                .isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(settings("customerio.app-api-lag-grace", "0s").appApiLagGrace()).isZero();
        assertRejected("customerio.app-api-lag-grace", "30", "a duration with its unit");
        assertRejected("customerio.app-api-lag-grace", "-1s", "a duration with its unit");
    }

    @Test
    void theEuRegionUsesTheEuHostAndAnEndpointOverridesBoth() {
        Map<String, String> m = minimal();
        m.put("customerio.region", "EU");
        assertThat(ForwarderSettings.fromMap(m).trackUrl())
                .isEqualTo("https://track-eu.customer.io");
        m.put("customerio.endpoint", "http://127.0.0.1:8090");
        assertThat(ForwarderSettings.fromMap(m).trackUrl()).isEqualTo("http://127.0.0.1:8090");
    }

    @Test
    void badValuesNameTheSettingAndTheAcceptedValues() {
        assertRejected(
                "customerio.region",
                "usa",
                "setting customerio.region: \"usa\" is not valid; expected us, eu");
        assertRejected(
                "customerio.api-mode",
                "v3",
                "setting customerio.api-mode: \"v3\" is not valid; expected v2-batch, v1");
        assertRejected(
                "customerio.user-id-type", "phone", "prefer_customer_id, customer_id, email, mpid");
        assertRejected("customerio.include-user-attributes", "yes", "expected true, false");
        assertRejected("customerio.rate-limit", "0", "expected a positive number");
        assertRejected("customerio.request-timeout", "ten", "a duration with its unit, such as");
        assertRejected("customerio.batch.max-bytes", "600000", "Customer.io's /batch limit");
        assertRejected("kafka.starting-offsets", "beginning", "committed-or-earliest");
        assertRejected("customerio.endpoint", "track.customer.io", "an http:// or https:// URL");
        assertRejected(
                "customerio.commerce-event-names", "segment", "expected mparticle, semantic");
        assertRejected("customerio.commerce-event-prefix", "x".repeat(72), "at most 71 bytes");
        assertRejected("customerio.commerce-event-prefix", "a\tb", "control characters");
        assertRejected(
                "mparticle.environments", "production,staging", "production, development or both");
        // Values are trimmed, as every setting's.
        assertThat(settings("customerio.commerce-event-prefix", " shop_ ").mapping())
                .extracting(m -> m.commerceEventPrefix())
                .isEqualTo("shop_");
        assertThat(settings("customerio.commerce-event-prefix", "x".repeat(71)).mapping())
                .extracting(m -> m.commerceEventPrefix())
                .isEqualTo("x".repeat(71));
        // Codes in any case, as before.
        assertThat(settings("customerio.api-mode", "V1").apiMode()).isEqualTo(ApiMode.V1);
        assertThat(settings("customerio.region", "EU").region()).isEqualTo(Region.EU);
    }

    private ForwarderSettings settings(String key, String value) {
        Map<String, String> m = minimal();
        m.put(key, value);
        return ForwarderSettings.fromMap(m);
    }

    private void assertRejected(String key, String value, String message) {
        Map<String, String> m = minimal();
        m.put(key, value);
        assertThatThrownBy(() -> ForwarderSettings.fromMap(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theAuthRetryIntervalIsTheWaitBetweenAttemptsWhileTheKeyIsRefused() {
        // Found by the fault suite (ChaosITCase, 401-unauthorized): the setting was validated but
        // the retry policy always waited 60 s, so deliveries resumed up to a minute after
        // Customer.io accepted the key again.
        Map<String, String> m = minimal();
        m.put("customerio.auth-retry-interval", "5s");
        RetryPolicy policy = ForwarderSettings.fromMap(m).retryPolicy();
        for (int i = 0; i < 50; i++) {
            // The interval plus up to a fifth of it as jitter.
            assertThat(policy.authBackoffMs()).isBetween(5_000L, 6_000L);
        }
        RetryPolicy defaults = ForwarderSettings.fromMap(minimal()).retryPolicy();
        assertThat(defaults.authBackoffMs()).isBetween(60_000L, 72_000L);
    }

    @Test
    void requiredSettingsAreNamed() {
        assertThatThrownBy(
                        () -> ForwarderSettings.fromMap(Map.of("kafka.bootstrap-servers", "x:1")))
                .hasMessage("setting customerio.site-id is required");
    }

    @Test
    void unknownSettingsAreRefusedWithTheKnownOnes() {
        Map<String, String> m = minimal();
        m.put("customerio.regoin", "us");
        assertThatThrownBy(() -> ForwarderSettings.fromMap(m))
                .hasMessageContaining("unknown setting \"customerio.regoin\"")
                .hasMessageContaining("customerio.region");
    }

    @Test
    void theApiKeyIsRefusedAsAProgramArgumentWithoutEchoingIt() {
        String[] args = {
            "--customerio.site-id",
            "s",
            "--kafka.bootstrap-servers",
            "x:1",
            "--customerio.api-key",
            "sekrit-123"
        };
        assertThatThrownBy(() -> ForwarderSettings.fromArgs(args))
                .hasMessageContaining("must not be a program argument")
                .hasMessageContaining("CUSTOMERIO_API_KEY")
                .hasMessageNotContaining("sekrit-123");
    }

    @Test
    void kafkaSecretsAreRefusedAsArgumentsButReadFromAPropertiesFile() throws Exception {
        String[] args = {
            "--customerio.site-id",
            "s",
            "--kafka.bootstrap-servers",
            "x:1",
            "--kafka.property.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"p\";"
        };
        assertThatThrownBy(() -> ForwarderSettings.fromArgs(args))
                .hasMessageContaining("kafka.properties-file");

        Path props = dir.resolve("kafka.properties");
        Files.writeString(
                props,
                "security.protocol=SASL_SSL\n"
                        + "sasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=secret-config\n");
        ForwarderSettings s =
                ForwarderSettings.fromArgs(
                        new String[] {
                            "--customerio.site-id",
                            "s",
                            "--kafka.bootstrap-servers",
                            "x:1",
                            "--kafka.properties-file",
                            props.toString(),
                            "--kafka.property.client.rack",
                            "r1"
                        });
        assertThat(s.kafkaProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "secret-config")
                .containsEntry("client.rack", "r1");
        // The settings' own description never shows Kafka property values.
        assertThat(s.toString()).doesNotContain("secret-config").contains("sasl.jaas.config");
    }

    @Test
    void aSettingsFileIsReadAndArgumentsWin() throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(
                file,
                "customerio.site-id=from-file\n"
                        + "kafka.bootstrap-servers=x:1\n"
                        + "customerio.region=eu\n");
        ForwarderSettings s =
                ForwarderSettings.fromArgs(
                        new String[] {"--settings", file.toString(), "--customerio.region", "us"});
        assertThat(s.siteId()).isEqualTo("from-file");
        assertThat(s.region()).isEqualTo(Region.US);
    }

    @Test
    void durationsReadAsOperatorsWriteThemWithTheirUnit() {
        Map<String, String> durations =
                Map.of(
                        "500ms", "PT0.5S",
                        "10s", "PT10S",
                        "5m", "PT5M",
                        "5min", "PT5M",
                        "2h", "PT2H",
                        "30d", "PT720H");
        durations.forEach(
                (text, expected) ->
                        assertThat(settings("customerio.request-timeout", text).requestTimeout())
                                .as(text)
                                .isEqualTo(Duration.parse(expected)));
        // Flink's TimeUtils reads a bare number as milliseconds: refused, so that "10" meant as
        // seconds never becomes 10 ms.
        for (String bad : new String[] {"10", "0s", "5 weeks", ""}) {
            assertRejected("customerio.request-timeout", bad, "a duration with its unit");
        }
    }

    @Test
    void theApiKeyIsReadFromAFileAndErrorsNeverShowIt() throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "  the-key\n");
        assertThat(new ApiKeySource("UNUSED", key.toString()).read()).isEqualTo("the-key");
        assertThatThrownBy(() -> new ApiKeySource("CIO_FORWARDER_TEST_UNSET_VARIABLE", null).read())
                .hasMessageContaining("CIO_FORWARDER_TEST_UNSET_VARIABLE is not set");
        assertThatThrownBy(() -> new ApiKeySource("X", dir.resolve("missing").toString()).read())
                .hasMessageContaining("cannot read");
    }
}
