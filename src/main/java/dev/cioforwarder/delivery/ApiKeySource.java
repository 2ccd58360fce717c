package dev.cioforwarder.delivery;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the TaskManagers find the Customer.io API key: a file, else an environment variable. Only
 * the names travel with the job graph; the key is read where it is used and never leaves memory (no
 * logs, exception texts, metrics or UI). Error messages name the variable or file, never a value.
 */
public final class ApiKeySource implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String environmentVariable;
    private final String file;

    public ApiKeySource(String environmentVariable, String file) {
        this.environmentVariable = environmentVariable;
        this.file = file;
    }

    /** Reads the key; fails with a message saying where it looked. */
    public String read() {
        if (file != null) {
            try {
                String key = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
                if (key.isEmpty()) {
                    throw new IllegalStateException(
                            "customerio.api-key-file: " + file + " is empty on this TaskManager");
                }
                return key;
            } catch (IOException e) {
                throw new IllegalStateException(
                        "customerio.api-key-file: cannot read "
                                + file
                                + " on this TaskManager ("
                                + e.getClass().getSimpleName()
                                + ")");
            }
        }
        String key = System.getenv(environmentVariable);
        if (key == null || key.isBlank()) {
            throw new IllegalStateException(
                    "customerio.api-key-env: the environment variable "
                            + environmentVariable
                            + " is not set on this TaskManager; set it (or customerio.api-key-file)"
                            + " to the Customer.io Track API key");
        }
        return key.trim();
    }

    @Override
    public String toString() {
        return file != null ? "file " + file : "environment variable " + environmentVariable;
    }
}
