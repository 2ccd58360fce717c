package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.testing.MavenClasspath;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/**
 * The settings page ({@code docs/settings.md}) holds every option with its default, and nothing
 * else; the README's short table of the most important settings shows their true defaults.
 */
class SettingsDocumentationTest {

    /** The rows {@code | `key` | default | meaning |} of {@code text}, by key. */
    private static Map<String, String> tableRows(String text) {
        Map<String, String> rows = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("| `") && !line.startsWith("| `kafka.property.")) {
                String[] cells = line.split("\\|");
                String key = cells[1].trim().replace("`", "");
                rows.put(key, cells[2].trim());
            }
        }
        return rows;
    }

    /** The settings page's table. */
    private static Map<String, String> documentedDefaults() throws Exception {
        String page = Files.readString(MavenClasspath.projectDir().resolve("docs/settings.md"));
        assertThat(page).as("docs/settings.md is the Settings page").startsWith("# Settings\n");
        return tableRows(page);
    }

    /** The rows of the README's {@code ## Settings} section. */
    private static Map<String, String> readmeDefaults() throws Exception {
        String readme = Files.readString(MavenClasspath.projectDir().resolve("README.md"));
        int start = readme.indexOf("\n## Settings");
        assertThat(start).as("README has a Settings section").isPositive();
        int end = readme.indexOf("\n## ", start + 1);
        return tableRows(readme.substring(start, end < 0 ? readme.length() : end));
    }

    @Test
    void everyOptionIsDocumentedWithItsDefault() throws Exception {
        Map<String, String> documented = documentedDefaults();
        for (ConfigOption<?> option : ForwarderOptions.ALL) {
            assertThat(documented).as("docs/settings.md table").containsKey(option.key());
            assertDefault(option.key(), documented.get(option.key()));
        }
        assertThat(documented.keySet())
                .as("docs/settings.md rows without an option")
                .allMatch(ForwarderSettings.DEFAULTS::containsKey);
    }

    @Test
    void theReadmeShowsTheMostImportantSettingsWithTheirDefaults() throws Exception {
        Map<String, String> readme = readmeDefaults();
        assertThat(readme.keySet())
                .as("README settings table")
                .contains(
                        "customerio.site-id",
                        "customerio.region",
                        "customerio.api-key-env",
                        "customerio.api-key-file",
                        "customerio.user-id-type",
                        "customerio.include-user-attributes",
                        "customerio.send-created-at",
                        "customerio.created-at-policy")
                .allMatch(ForwarderSettings.DEFAULTS::containsKey);
        readme.forEach(SettingsDocumentationTest::assertDefault);
    }

    private static void assertDefault(String key, String documented) {
        String actual = ForwarderSettings.DEFAULTS.get(key);
        if (actual == null) {
            assertThat(documented).as("%s has no default", key).doesNotStartWith("`");
        } else {
            assertThat(documented).as("default of %s", key).isEqualTo("`" + actual + "`");
        }
    }
}
