package dev.cioforwarder.settings;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;

/**
 * Where settings come from: program arguments ({@code --key value}), the optional {@code --settings
 * FILE} (arguments win over it), and the Kafka client properties, passed through as {@code
 * kafka.property.*} or read from {@code kafka.properties-file}. Every key must be a known setting;
 * secrets are refused in program arguments ({@link SecretSettings}).
 */
final class SettingsSources {

    private SettingsSources() {}

    /** The settings as given and read, before validation. */
    record Given(Configuration config, Map<String, String> kafkaProperties) {}

    /** Reads {@code --key value} arguments and the optional {@code --settings FILE}. */
    static Map<String, String> fromArgs(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        String settingsFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(
                        "unexpected argument \"" + arg + "\": arguments are --key value pairs");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("argument " + arg + " has no value");
            }
            String key = arg.substring(2);
            String value = args[++i];
            if (key.equals("settings")) {
                settingsFile = value;
            } else {
                given.put(key, value);
            }
        }
        SecretSettings.refuseInProgramArguments(given.keySet());
        Map<String, String> merged = new LinkedHashMap<>();
        if (settingsFile != null) {
            merged.putAll(readProperties(Path.of(settingsFile), "--settings"));
        }
        merged.putAll(given);
        return merged;
    }

    /**
     * Splits a key/value map into the job's settings and the Kafka client properties, and adds
     * those of {@code kafka.properties-file}.
     */
    static Given fromMap(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey();
            checkKnown(key);
            if (key.startsWith(ForwarderSettings.KAFKA_PROPERTY_PREFIX)) {
                kafka.put(
                        key.substring(ForwarderSettings.KAFKA_PROPERTY_PREFIX.length()),
                        e.getValue());
            } else if (e.getValue() != null) {
                values.put(key, e.getValue().trim());
            }
        }
        Configuration config = Configuration.fromMap(values);
        String propertiesFile = config.get(ForwarderOptions.KAFKA_PROPERTIES_FILE);
        if (propertiesFile != null) {
            Map<String, String> fromFile =
                    readProperties(Path.of(propertiesFile), "kafka.properties-file");
            // The file holds credentials; explicit pass-through properties win over it.
            Map<String, String> combined = new TreeMap<>(fromFile);
            combined.putAll(kafka);
            kafka = combined;
        }
        return new Given(config, kafka);
    }

    /** The job's settings of a key/value map, without Kafka client properties and files. */
    static Configuration settingsOnly(Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : given.entrySet()) {
            checkKnown(e.getKey());
            if (!e.getKey().startsWith(ForwarderSettings.KAFKA_PROPERTY_PREFIX)
                    && e.getValue() != null) {
                values.put(e.getKey(), e.getValue().trim());
            }
        }
        return Configuration.fromMap(values);
    }

    private static void checkKnown(String key) {
        if (!key.startsWith(ForwarderSettings.KAFKA_PROPERTY_PREFIX)
                && !ForwarderSettings.DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException(
                    "unknown setting \""
                            + key
                            + "\"; known settings: "
                            + String.join(", ", ForwarderSettings.DEFAULTS.keySet())
                            + ", and "
                            + ForwarderSettings.KAFKA_PROPERTY_PREFIX
                            + "<kafka client property>");
        }
    }

    private static Map<String, String> readProperties(Path file, String setting) {
        try {
            return PropertiesFile.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "setting " + setting + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
    }
}
