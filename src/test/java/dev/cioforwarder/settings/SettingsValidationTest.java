package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.UserIdType;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SettingsValidationTest {

    @Test
    void validSettingsGiveTheirMappingSettings() {
        Map<String, String> m = ForwarderSettingsTest.minimal();
        m.put("customerio.user-id-type", "MPID");
        MappingSettings mapping = SettingsValidation.validate(Configuration.fromMap(m));
        assertThat(mapping.userIdType()).isEqualTo(UserIdType.MPID);
    }

    @Test
    void theFirstBadSettingInTheFixedOrderIsReported() {
        Map<String, String> m = new HashMap<>();
        m.put("customerio.rate-limit", "0");
        m.put("customerio.region", "mars");
        assertThatThrownBy(() -> SettingsValidation.validate(Configuration.fromMap(m)))
                .hasMessage("setting customerio.site-id is required");
        m.putAll(ForwarderSettingsTest.minimal());
        assertThatThrownBy(() -> SettingsValidation.validate(Configuration.fromMap(m)))
                .hasMessage("setting customerio.region: \"mars\" is not valid; expected us, eu");
        m.remove("customerio.region");
        assertThatThrownBy(() -> SettingsValidation.validate(Configuration.fromMap(m)))
                .hasMessage(
                        "setting customerio.rate-limit: \"0\" is not valid; expected a positive"
                                + " number");
    }

    @Test
    void aDurationNeedsItsUnit() {
        Map<String, String> m = ForwarderSettingsTest.minimal();
        m.put("customerio.request-timeout", "10");
        assertThatThrownBy(() -> SettingsValidation.validate(Configuration.fromMap(m)))
                .hasMessage(
                        "setting customerio.request-timeout: \"10\" is not valid; expected a"
                                + " duration with its unit, such as 500ms, 10s, 5m, 2h or 30d");
    }

    @Test
    void theMappingPartNeedsNoKafkaOrCustomerioSettings() {
        Map<String, String> m = new HashMap<>();
        m.put("customerio.commerce-event-prefix", " shop");
        assertThatThrownBy(() -> SettingsValidation.mappingSettings(Configuration.fromMap(m)))
                .hasMessageStartingWith("setting customerio.commerce-event-prefix: \" shop\"");
        assertThat(SettingsValidation.mappingSettings(new Configuration()).userIdType())
                .isEqualTo(UserIdType.PREFER_CUSTOMER_ID);
    }
}
