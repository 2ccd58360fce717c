package dev.cioforwarder.settings;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The one way the job and its tools read a Java properties file (settings files, Kafka client
 * properties, the operations tool's job records): UTF-8, with everything {@link Properties#load}
 * understands ({@code key=value}, {@code key: value}, comments, escapes, continued lines), in the
 * order the file gives. Each caller words its own error.
 */
public final class PropertiesFile {

    private PropertiesFile() {}

    /**
     * The file's entries in order; a key given again keeps its first place and takes its last
     * value.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException for a malformed {@code \\uXXXX} escape
     */
    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : entries(file)) {
            map.put(entry.getKey(), entry.getValue());
        }
        return map;
    }

    /**
     * Every entry of the file in order, a key given twice as often.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException for a malformed {@code \\uXXXX} escape
     */
    public static List<Map.Entry<String, String>> entries(Path file) throws IOException {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        Properties inOrder =
                new Properties() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    public synchronized Object put(Object key, Object value) {
                        entries.add(
                                new AbstractMap.SimpleImmutableEntry<>(
                                        (String) key, (String) value));
                        return super.put(key, value);
                    }
                };
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            inOrder.load(reader);
        }
        return entries;
    }
}
