package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsSourcesTest {

    @TempDir Path dir;

    @Test
    void argumentsWinOverTheSettingsFileWhichIsNotASetting() throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, "kafka.topic=from-file\njob.name=file-job\n");
        Map<String, String> given =
                SettingsSources.fromArgs(
                        new String[] {"--job.name", "argument-job", "--settings", file.toString()});
        assertThat(given)
                .containsEntry("kafka.topic", "from-file")
                .containsEntry("job.name", "argument-job")
                .doesNotContainKey("settings");
    }

    @Test
    void argumentsComeInPairs() {
        assertThatThrownBy(() -> SettingsSources.fromArgs(new String[] {"job.name", "x"}))
                .hasMessage("unexpected argument \"job.name\": arguments are --key value pairs");
        assertThatThrownBy(() -> SettingsSources.fromArgs(new String[] {"--job.name"}))
                .hasMessage("argument --job.name has no value");
    }

    @Test
    void aMissingSettingsFileNamesTheArgument() {
        Path absent = dir.resolve("absent.properties");
        assertThatThrownBy(
                        () ->
                                SettingsSources.fromArgs(
                                        new String[] {"--settings", absent.toString()}))
                .hasMessageStartingWith("setting --settings: cannot read " + absent);
    }

    @Test
    void kafkaPropertiesArePassedThroughAndWinOverTheirFile() throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nclient.id=from-file\n");
        Map<String, String> given = new LinkedHashMap<>();
        given.put("kafka.property.client.id", "from-argument");
        given.put("kafka.properties-file", file.toString());
        given.put("job.name", "  spaced  ");
        SettingsSources.Given read = SettingsSources.fromMap(given);
        assertThat(read.kafkaProperties())
                .containsExactly(
                        Map.entry("client.id", "from-argument"),
                        Map.entry("security.protocol", "SASL_SSL"));
        assertThat(read.config().get(ForwarderOptions.JOB_NAME)).isEqualTo("spaced");
        assertThat(SettingsSources.settingsOnly(given).toMap())
                .doesNotContainKey("kafka.property.client.id")
                .containsEntry("job.name", "spaced");
    }

    @Test
    void anUnknownKeyIsRefusedFromEverySource() {
        assertThatThrownBy(() -> SettingsSources.fromMap(Map.of("job.nmae", "x")))
                .hasMessageStartingWith("unknown setting \"job.nmae\"; known settings: ");
        assertThatThrownBy(() -> SettingsSources.settingsOnly(Map.of("job.nmae", "x")))
                .hasMessageStartingWith("unknown setting \"job.nmae\"");
    }
}
