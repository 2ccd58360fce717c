package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key is read where it is used, from a file (trimmed, read again on every call, so a rotated
 * key is picked up) or else an environment variable; every failure says where it looked, and
 * nothing it says holds the key.
 */
class ApiKeySourceTest {

    private static final String KEY = "secret-" + UUID.randomUUID();

    @TempDir Path dir;

    @Test
    void aFileIsReadTrimmedAndAgainOnEveryCall() throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "  " + KEY + "\n");
        ApiKeySource source = new ApiKeySource("UNUSED", file.toString());
        assertThat(source.read()).isEqualTo(KEY);
        Files.writeString(file, "rotated");
        assertThat(source.read()).isEqualTo("rotated");
        assertThat(source.toString()).isEqualTo("file " + file).doesNotContain("rotated");
    }

    @Test
    void anEmptyOrMissingFileSaysWhichFileAndNeverTheKey() throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, " \n");
        assertThatThrownBy(() -> new ApiKeySource(null, file.toString()).read())
                .hasMessage("customerio.api-key-file: " + file + " is empty on this TaskManager");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> new ApiKeySource(null, missing.toString()).read())
                .hasMessageContaining("cannot read " + missing)
                .hasMessageContaining("NoSuchFileException");
    }

    @Test
    void aFileWinsOverTheEnvironmentVariable() throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, KEY);
        // PATH is set wherever the tests run: the file is read all the same.
        assertThat(new ApiKeySource("PATH", file.toString()).read()).isEqualTo(KEY);
    }

    @Test
    void anEnvironmentVariableIsReadWhenNoFileIsGiven() {
        assertThat(new ApiKeySource("PATH", null).read()).isEqualTo(System.getenv("PATH").trim());
        assertThat(new ApiKeySource("PATH", null).toString())
                .isEqualTo("environment variable PATH");
    }

    @Test
    void anUnsetVariableIsNamedInTheError() {
        String name = "CIO_FORWARDER_TEST_UNSET_" + UUID.randomUUID().toString().replace('-', '_');
        assertThatThrownBy(() -> new ApiKeySource(name, null).read())
                .hasMessageContaining("the environment variable " + name + " is not set")
                .hasMessageContaining("customerio.api-key-file");
    }
}
