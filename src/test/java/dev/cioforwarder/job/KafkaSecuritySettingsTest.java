package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.settings.ForwarderSettings;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka cluster secured with SASL_SSL is reached by both Kafka clients of the job, the source and
 * the dead-letter sink: every property of {@code kafka.properties-file} reaches the client
 * properties each connector is built with, and the credentials never show in the settings' text
 * (which the job logs).
 */
class KafkaSecuritySettingsTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"forwarder\" password=\"s3cr3t-pa55\";";

    private static final Map<String, String> SECURITY =
            Map.of(
                    "security.protocol", "SASL_SSL",
                    "sasl.mechanism", "SCRAM-SHA-512",
                    "sasl.jaas.config", JAAS,
                    "ssl.truststore.location", "/opt/flink/secrets/kafka/truststore.p12",
                    "ssl.truststore.type", "PKCS12",
                    "ssl.truststore.password", "trust-pa55");

    @TempDir Path dir;

    private ForwarderSettings settings;

    @BeforeEach
    void settingsWithAKafkaPropertiesFile() throws Exception {
        Path file = dir.resolve("kafka-client.properties");
        Properties properties = new Properties();
        properties.putAll(SECURITY);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, "SASL_SSL client settings");
        }
        settings =
                ForwarderSettings.fromArgs(
                        new String[] {
                            "--kafka.bootstrap-servers", "broker-1.example:9093",
                            "--customerio.site-id", "site",
                            "--kafka.properties-file", file.toString(),
                            "--kafka.property.client.dns.lookup", "use_all_dns_ips"
                        });
    }

    @Test
    void theSourceGetsEverySecuritySettingOfThePropertiesFile() throws Exception {
        Properties source = ForwarderEnds.sourceProperties(settings);
        assertThat(source).containsAllEntriesOf(SECURITY);
        assertThat(source).containsEntry("client.dns.lookup", "use_all_dns_ips");

        // And the built connector holds them (KafkaSource keeps its client properties in a private
        // field and has no public getter).
        Properties built = (Properties) field(ForwarderEnds.source(settings), "props");
        assertThat(built).containsAllEntriesOf(SECURITY);
        assertThat(built)
                .containsEntry("bootstrap.servers", "broker-1.example:9093")
                .containsEntry("group.id", "mparticle-customerio-forwarder");
    }

    @Test
    void theDeadLetterSinkGetsEverySecuritySettingOfThePropertiesFile() throws Exception {
        Properties sink = ForwarderEnds.deadLetterSinkProperties(settings);
        assertThat(sink).containsAllEntriesOf(SECURITY);
        assertThat(sink)
                .containsEntry("client.dns.lookup", "use_all_dns_ips")
                .containsEntry("transaction.timeout.ms", "900000");

        Properties built =
                (Properties) field(ForwarderEnds.deadLetterSink(settings), "kafkaProducerConfig");
        assertThat(built).containsAllEntriesOf(SECURITY);
        assertThat(built).containsEntry("bootstrap.servers", "broker-1.example:9093");
    }

    @Test
    void theCredentialsNeverShowInTheSettingsText() {
        assertThat(settings.toString())
                .contains("sasl.jaas.config")
                .doesNotContain("s3cr3t-pa55")
                .doesNotContain("trust-pa55");
    }

    private static Object field(Object connector, String name) throws Exception {
        Class<?> type = connector instanceof KafkaSource ? KafkaSource.class : KafkaSink.class;
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(connector);
    }
}
