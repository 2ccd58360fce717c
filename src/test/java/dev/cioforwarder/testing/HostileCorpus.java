package dev.cioforwarder.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The hostile-input corpus: the small bad records committed under {@code
 * src/test/resources/hostile/}, one file each, and the large ones built here from a recipe (nothing
 * over 50 KB is committed). {@code expected.properties} names the expected outcome of every one.
 */
public final class HostileCorpus {

    private static final String DIR = "/hostile/";
    public static final String GENERATED = "generated/";

    /** What must become of a record. */
    public enum Kind {
        /** The whole record is dead-lettered (parse stage). */
        DEAD_LETTER,
        /** The batch is kept; its bad events are dead-lettered, all with the reason. */
        EVENT_DEAD_LETTER,
        /** Kept, nothing dead-lettered, and the reason is counted as skipped. */
        SKIP,
        /** Odd but legitimate: kept, nothing dead-lettered, nothing skipped. */
        ACCEPT
    }

    public record Outcome(Kind kind, String reason) {
        static Outcome parse(String text) {
            if (text.equals("accept")) {
                return new Outcome(Kind.ACCEPT, null);
            }
            int colon = text.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("bad expected outcome " + text);
            }
            String kind = text.substring(0, colon);
            String reason = text.substring(colon + 1);
            switch (kind) {
                case "dead_letter":
                    return new Outcome(Kind.DEAD_LETTER, reason);
                case "event_dead_letter":
                    return new Outcome(Kind.EVENT_DEAD_LETTER, reason);
                case "skip":
                    return new Outcome(Kind.SKIP, reason);
                default:
                    throw new IllegalArgumentException("bad expected outcome " + text);
            }
        }

        @Override
        public String toString() {
            return kind == Kind.ACCEPT
                    ? "accept"
                    : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + reason;
        }
    }

    /** One record; the bytes of a generated one are built on each call (they can be 20 MB). */
    public record Entry(String name, Outcome expected, Supplier<byte[]> bytes) {
        public boolean generated() {
            return name.startsWith(GENERATED);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private HostileCorpus() {}

    /** Every entry of {@code expected.properties}, in file order. */
    public static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, String> e : expected().entrySet()) {
            String name = e.getKey();
            Outcome outcome = Outcome.parse(e.getValue());
            if (name.startsWith(GENERATED)) {
                Supplier<byte[]> recipe = RECIPES.get(name.substring(GENERATED.length()));
                if (recipe == null) {
                    throw new IllegalStateException("no recipe for " + name);
                }
                out.add(new Entry(name, outcome, recipe));
            } else {
                byte[] bytes = resource(name);
                out.add(new Entry(name, outcome, () -> bytes));
            }
        }
        return out;
    }

    public static List<Entry> committed() {
        return all().stream().filter(e -> !e.generated()).toList();
    }

    public static List<Entry> generated() {
        return all().stream().filter(Entry::generated).toList();
    }

    public static Entry get(String name) {
        return all().stream()
                .filter(e -> e.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus entry " + name));
    }

    /** The expected outcomes, in file order. */
    public static Map<String, String> expected() {
        Map<String, String> ordered = new LinkedHashMap<>();
        String text = new String(resource("expected.properties"), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            Properties one = new Properties();
            try {
                one.load(new java.io.StringReader(trimmed));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            one.forEach((k, v) -> ordered.put((String) k, (String) v));
        }
        return ordered;
    }

    /** The names of the committed files (everything in the directory but the expectations). */
    public static List<String> committedFileNames() {
        try (java.util.stream.Stream<java.nio.file.Path> files =
                java.nio.file.Files.list(
                        java.nio.file.Path.of(HostileCorpus.class.getResource(DIR).toURI()))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("expected.properties"))
                    .sorted()
                    .toList();
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot list the hostile corpus", e);
        }
    }

    public static byte[] resource(String name) {
        try (InputStream in = HostileCorpus.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no hostile corpus file " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Recipes of the large records.

    private static final Map<String, Supplier<byte[]>> RECIPES = new LinkedHashMap<>();

    static {
        // 20 MB of ordinary batch JSON, over mparticle.max-record-bytes (8 MB). Quote-heavy on
        // purpose: its dead letter must still fit the dead-letter topic once escaped.
        RECIPES.put(
                "record-20mb-over-max-record-bytes.json",
                () -> {
                    StringBuilder json = head(7190001, "hostile-gen-001").append(",\"events\":[");
                    String event =
                            "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Big\","
                                    + "\"custom_attributes\":{\"k\":\"v\",\"n\":\"m\"}}}";
                    for (int i = 0; json.length() < 20 * 1024 * 1024; i++) {
                        json.append(i == 0 ? "" : ",").append(event);
                    }
                    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                });
        // A 5 MB user attribute value: parsed (under the 8 MB limits), then left out of the
        // profile as over 1000 bytes; the rest of the batch is forwarded.
        RECIPES.put(
                "user-attribute-value-5mb.json",
                () ->
                        head(7190002, "hostile-gen-002")
                                .append(",\"user_attributes\":{\"huge\":\"")
                                .append("x".repeat(5 * 1024 * 1024))
                                .append("\",\"ok\":1},\"events\":[")
                                .append(goodEvent("hostile-gen-002-good"))
                                .append("]}")
                                .toString()
                                .getBytes(StandardCharsets.UTF_8));
        // A 5 MB event property: that event is dead-lettered (data over 100,000 bytes).
        RECIPES.put(
                "event-attribute-value-5mb.json",
                () ->
                        head(7190003, "hostile-gen-003")
                                .append(",\"events\":[")
                                .append(goodEvent("hostile-gen-003-good"))
                                .append(
                                        ",{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Huge\","
                                            + "\"source_message_id\":\"hostile-gen-003-huge\","
                                            + "\"custom_attributes\":{\"huge\":\"")
                                .append("é".repeat(5 * 512 * 1024))
                                .append("\"}}}]}")
                                .toString()
                                .getBytes(StandardCharsets.UTF_8));
        // 100,000 small events in one batch (5.6 MB, under the limit).
        RECIPES.put(
                "events-100k.json",
                () -> {
                    StringBuilder json = head(7190004, "hostile-gen-004").append(",\"events\":[");
                    for (int i = 0; i < 100_000; i++) {
                        json.append(i == 0 ? "" : ",")
                                .append(
                                        "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"e")
                                .append(i % 10)
                                .append("\"}}");
                    }
                    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                });
        // 100,000 user attributes: a person holds 300, the rest are left out and counted.
        RECIPES.put(
                "user-attributes-100k.json",
                () -> {
                    StringBuilder json =
                            head(7190005, "hostile-gen-005").append(",\"user_attributes\":{");
                    for (int i = 0; i < 100_000; i++) {
                        json.append(i == 0 ? "" : ",")
                                .append("\"a")
                                .append(i)
                                .append("\":")
                                .append(i);
                    }
                    return json.append("}}").toString().getBytes(StandardCharsets.UTF_8);
                });
        // 10,000 levels of nesting inside a field the parser ignores: rejected at level 64,
        // without a stack overflow.
        RECIPES.put(
                "nesting-10000-levels-in-ignored-field.json",
                () ->
                        head(7190006, "hostile-gen-006")
                                .append(",\"context\":")
                                .append("[".repeat(10_000))
                                .append("]".repeat(10_000))
                                .append("}")
                                .toString()
                                .getBytes(StandardCharsets.UTF_8));
        RECIPES.put(
                "nesting-10000-levels-of-objects-in-ignored-field.json",
                () ->
                        head(7190007, "hostile-gen-007")
                                .append(",\"context\":")
                                .append("{\"a\":".repeat(10_000))
                                .append("1")
                                .append("}".repeat(10_000))
                                .append("}")
                                .toString()
                                .getBytes(StandardCharsets.UTF_8));
        // A 7 MB string in a field the parser ignores: skipped without being kept.
        RECIPES.put(
                "string-7mb-in-ignored-field.json",
                () ->
                        head(7190008, "hostile-gen-008")
                                .append(",\"context\":\"")
                                .append("c".repeat(7 * 1024 * 1024))
                                .append("\",\"events\":[")
                                .append(goodEvent("hostile-gen-008-good"))
                                .append("]}")
                                .toString()
                                .getBytes(StandardCharsets.UTF_8));
        // A purchase of 200,000 products (6 MB): the parser keeps 12,000, the rules send what
        // fits Customer.io's limits and count the rest in products_trimmed; never a dead letter.
        RECIPES.put(
                "commerce-purchase-200k-products.json",
                () -> {
                    StringBuilder json =
                            head(7190009, "hostile-gen-009")
                                    .append(",\"events\":[{\"event_type\":\"commerce_event\",")
                                    .append("\"data\":{\"source_message_id\":\"hostile-gen-009\",")
                                    .append("\"product_action\":{\"action\":\"purchase\",")
                                    .append("\"products\":[");
                    for (int i = 0; i < 200_000; i++) {
                        json.append(i == 0 ? "" : ",")
                                .append("{\"id\":\"SKU-")
                                .append(i)
                                .append("\",\"price\":1}");
                    }
                    return json.append("]}}}]}").toString().getBytes(StandardCharsets.UTF_8);
                });
    }

    private static StringBuilder head(long mpid, String customerId) {
        return new StringBuilder(1 << 16)
                .append("{\"mpid\":")
                .append(mpid)
                .append(",\"timestamp_unixtime_ms\":1764320400500")
                .append(",\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"")
                .append(customerId)
                .append("\"}]");
    }

    private static String goodEvent(String smid) {
        return "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Hostile Good\","
                + "\"source_message_id\":\""
                + smid
                + "\",\"timestamp_unixtime_ms\":1764320400000,\"custom_attributes\":{\"k\":\"v\"}}}";
    }
}
