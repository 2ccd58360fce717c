package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one rule for secrets among program arguments, for the job and the operations tool. */
class SecretSettingsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "customerio.api-key",
                "customerio.API-KEY",
                "customerio.apikey",
                "customerio.api_key",
                "customerio.api-key-value",
                "customerio.app-api-key",
                "customerio.APP_API_KEY",
                "customerio.appapikey"
            })
    void theApiKeyUnderAnySpellingIsRefusedWithWhereItBelongs(String key) {
        assertThatThrownBy(() -> SecretSettings.refuseInProgramArguments(key))
                .hasMessageContaining("setting " + key)
                .hasMessageContaining("must not be a program argument")
                .hasMessageContaining("CUSTOMERIO_API_KEY")
                .hasMessageContaining("customerio.api-key-file")
                .hasMessageContaining("TaskManager");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "kafka.property.sasl.jaas.config",
                "kafka.property.ssl.truststore.password",
                "kafka.property.ssl.key.password",
                "kafka.property.ssl.keystore.key",
                "kafka.property.ssl.key.passphrase",
                "sasl.jaas.config",
                "some.client-secret"
            })
    void secretLookingKeysAreRefusedWhateverTheirPrefix(String key) {
        assertThatThrownBy(() -> SecretSettings.refuseInProgramArguments(key))
                .hasMessageContaining("setting " + key + " looks like a secret")
                .hasMessageContaining("kafka.properties-file");
    }

    @Test
    void whereTheKeyIsReadFromAndEveryOrdinarySettingPass() {
        assertThatCode(
                        () ->
                                SecretSettings.refuseInProgramArguments(
                                        List.of(
                                                "customerio.api-key-env",
                                                "customerio.api-key-file",
                                                "customerio.site-id",
                                                "kafka.properties-file",
                                                "kafka.property.security.protocol",
                                                "kafka.property.ssl.truststore.location",
                                                "job.name")))
                .doesNotThrowAnyException();
        // Every setting the job knows passes.
        assertThatCode(
                        () ->
                                SecretSettings.refuseInProgramArguments(
                                        ForwarderSettings.DEFAULTS.keySet()))
                .doesNotThrowAnyException();
    }
}
