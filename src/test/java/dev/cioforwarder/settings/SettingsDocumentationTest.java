package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.MavenClasspath;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** The README's settings table holds every option with its default, and nothing else. */
class SettingsDocumentationTest {

    /** The table's rows: {@code | `key` | default | meaning |}, by key. */
    private static Map<String, String> readmeDefaults() throws Exception {
        String readme = Files.readString(MavenClasspath.projectDir().resolve("README.md"));
        int start = readme.indexOf("\n## Settings");
        int end = readme.indexOf("\n## ", start + 1);
        Map<String, String> rows = new HashMap<>();
        for (String line : readme.substring(start, end).split("\n")) {
            if (line.startsWith("| `") && !line.startsWith("| `kafka.property.")) {
                String[] cells = line.split("\\|");
                String key = cells[1].trim().replace("`", "");
                rows.put(key, cells[2].trim());
            }
        }
        return rows;
    }

    @Test
    void everyOptionIsInTheReadmeWithItsDefault() throws Exception {
        Map<String, String> readme = readmeDefaults();
        for (ConfigOption<?> option : ForwarderOptions.ALL) {
            assertThat(readme).as("README settings table").containsKey(option.key());
            String documented = readme.get(option.key());
            String actual = ForwarderSettings.DEFAULTS.get(option.key());
            if (actual == null) {
                assertThat(documented).as("%s has no default", option.key()).doesNotStartWith("`");
            } else {
                assertThat(documented)
                        .as("default of %s", option.key())
                        .isEqualTo("`" + actual + "`");
            }
        }
        assertThat(readme.keySet())
                .as("README rows without an option")
                .allMatch(ForwarderSettings.DEFAULTS::containsKey);
    }
}
