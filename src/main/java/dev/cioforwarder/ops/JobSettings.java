package dev.cioforwarder.ops;

import dev.cioforwarder.settings.PropertiesFile;
import dev.cioforwarder.settings.SecretSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The settings a job is started with, in the order they were given: read here from properties files
 * and {@code --set key=value}, and sent as the job's program arguments ({@code --key value}). A
 * file is read by the tool, not by the job, because the job's own {@code --settings} would be read
 * on the JobManager's file system. Secrets are refused before anything reaches the cluster ({@link
 * SecretSettings}): program arguments are visible in Flink's web UI and REST API.
 */
public final class JobSettings {

    public static final String DEFAULT_JOB_NAME = "mparticle-customerio-forwarder";
    public static final int DEFAULT_MAX_PARALLELISM = 720;

    private final Map<String, String> values = new LinkedHashMap<>();

    /** Adds or replaces one setting (a replaced one keeps its place). */
    public JobSettings set(String key, String value) {
        if (!key.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(
                    "\"" + key + "\" is not a setting name (see the README's Settings table)");
        }
        SecretSettings.refuseInProgramArguments(key);
        if (key.equals("settings")) {
            throw new IllegalArgumentException(
                    "setting \"settings\" is not passed on: the tool reads settings files itself"
                            + " and sends their entries as program arguments (--settings FILE would"
                            + " be read on the JobManager)");
        }
        if (value.contains("\n") || value.contains("\r")) {
            throw new IllegalArgumentException("setting " + key + ": a value cannot span lines");
        }
        values.put(key, value);
        return this;
    }

    /** {@code key=value}, as given to {@code --set}. */
    public JobSettings set(String keyEqualsValue) {
        int eq = keyEqualsValue.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(
                    "--set takes key=value, got \"" + keyEqualsValue + "\"");
        }
        return set(keyEqualsValue.substring(0, eq), keyEqualsValue.substring(eq + 1));
    }

    /**
     * Reads a Java properties file (what the job's {@code --settings} reads: {@code key=value},
     * {@code key: value}, comments, escapes, continued lines), keeping its order.
     */
    public JobSettings load(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(
                    "settings file " + file + " does not exist or cannot be read");
        }
        List<Map.Entry<String, String>> entries;
        try {
            entries = PropertiesFile.entries(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "settings file " + file + " cannot be read: " + e.getMessage());
        }
        for (Map.Entry<String, String> entry : entries) {
            try {
                set(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage());
            }
        }
        return this;
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** The job's program arguments: {@code --key value ...} in order. */
    public List<String> programArgs() {
        List<String> args = new ArrayList<>();
        values.forEach(
                (k, v) -> {
                    args.add("--" + k);
                    args.add(v);
                });
        return args;
    }

    /** The job's name (its {@code job.name} setting): how the tool finds "the" running job. */
    public String jobName() {
        return values.getOrDefault("job.name", DEFAULT_JOB_NAME);
    }

    /** The number of key groups, fixed for the life of the job's state. */
    public int maxParallelism() {
        String value = values.get("job.max-parallelism");
        try {
            return value == null ? DEFAULT_MAX_PARALLELISM : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "setting job.max-parallelism: \"" + value + "\" is not a whole number");
        }
    }

    /** The properties text the job record keeps ({@code key=value}, readable by Properties). */
    String toPropertiesText(String header) {
        StringBuilder text = new StringBuilder();
        for (String line : header.split("\n")) {
            text.append("# ").append(line).append('\n');
        }
        values.forEach((k, v) -> text.append(k).append('=').append(escapeValue(v)).append('\n'));
        return text.toString();
    }

    /** Escapes what {@link Properties#load} would otherwise read differently. */
    private static String escapeValue(String value) {
        String escaped = value.replace("\\", "\\\\");
        if (!escaped.isEmpty() && Character.isWhitespace(escaped.charAt(0))) {
            escaped = "\\" + escaped;
        }
        return escaped;
    }
}
