package dev.cioforwarder.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertiesFileTest {

    @TempDir Path dir;

    private Path file(String text) throws IOException {
        Path file = dir.resolve("some.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void readsEverySyntaxOfAPropertiesFileInTheFilesOrder() throws Exception {
        Path file =
                file(
                        "# a comment\n"
                                + "zeta=last letter\n"
                                + "! another comment\n"
                                + "alpha: first letter\n"
                                + "spaced   value with spaces\n"
                                + "continued=one, \\\n"
                                + "    two\n"
                                + "escaped=tab\\there\n"
                                + "unicode=caf\\u00e9 and ümlaut\n");
        Map<String, String> read = PropertiesFile.read(file);
        assertThat(read.keySet())
                .containsExactly("zeta", "alpha", "spaced", "continued", "escaped", "unicode");
        assertThat(read)
                .containsEntry("zeta", "last letter")
                .containsEntry("alpha", "first letter")
                .containsEntry("spaced", "value with spaces")
                .containsEntry("continued", "one, two")
                .containsEntry("escaped", "tab\there")
                .containsEntry("unicode", "café and ümlaut");
    }

    @Test
    void aRepeatedKeyKeepsItsFirstPlaceAndTakesItsLastValue() throws Exception {
        Path file = file("a=1\nb=2\na=3\n");
        assertThat(PropertiesFile.read(file))
                .containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
        assertThat(PropertiesFile.entries(file))
                .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"), Map.entry("a", "3"));
    }

    @Test
    void anEmptyFileHasNoEntries() throws Exception {
        assertThat(PropertiesFile.read(file(""))).isEmpty();
    }

    @Test
    void aMissingFileIsAnIoErrorForTheCallerToWord() {
        assertThatThrownBy(() -> PropertiesFile.read(dir.resolve("absent.properties")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aMalformedEscapeIsRefused() throws Exception {
        Path file = file("bad=\\u12\n");
        assertThatThrownBy(() -> PropertiesFile.read(file))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
