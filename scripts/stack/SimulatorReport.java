/*
 * What the Customer.io simulator received, for a person at a terminal: the summary counters, every
 * person with their attributes, and the events in time order; or, with --wait, progress until it
 * holds the expected number of events.
 *
 * Run by scripts/run-local.sh with Java's single-file launcher (no build step, no jq or python):
 *   java scripts/stack/SimulatorReport.java SIMULATOR_URL [MAX_EVENTS]
 *   java scripts/stack/SimulatorReport.java --wait SIMULATOR_URL EXPECTED_EVENTS TIMEOUT_SECONDS
 * It reads GET /__simulator/summary, /__simulator/people and /__simulator/events itself. It
 * depends on nothing but the JDK, so it carries a small JSON reader, and it tolerates shapes it
 * does not know (a list wrapped in an object, unknown fields): anything it cannot lay out nicely is
 * printed as compact JSON rather than dropped.
 */
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public final class SimulatorReport {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--wait")) {
            System.exit(
                    waitForEvents(args[1], Long.parseLong(args[2]), Long.parseLong(args[3])));
        }
        if (args.length < 1 || args[0].startsWith("-")) {
            System.err.println(
                    "usage: java SimulatorReport.java SIMULATOR_URL [MAX_EVENTS]\n"
                            + "       java SimulatorReport.java --wait SIMULATOR_URL EXPECTED_EVENTS"
                            + " TIMEOUT_SECONDS");
            System.exit(2);
        }
        int maxEvents = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        printSummary(get(args[0], "/__simulator/summary"));
        printPeople(records(get(args[0], "/__simulator/people"), "people"));
        printEvents(records(get(args[0], "/__simulator/events"), "events"), maxEvents);
    }

    /**
     * Waits until the simulator holds the expected events and nothing moved for one poll (a
     * profile update of the last batches may trail its events); 0 then, 1 after the timeout.
     */
    private static int waitForEvents(String url, long expected, long timeoutSeconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        boolean terminal = System.console() != null;
        Object lastOperations = null;
        long nextLine = 0;
        String progress = "no answer yet";
        while (System.nanoTime() < deadline) {
            Object summary;
            try {
                summary = get(url, "/__simulator/summary");
            } catch (IOException e) {
                summary = null;
                progress =
                        "the simulator at "
                                + url
                                + " does not answer: "
                                + (e.getMessage() != null ? e.getMessage() : e.toString());
            }
            if (summary != null) {
                BigDecimal events = number(field(summary, "events"));
                Object operations = field(summary, "operations");
                progress =
                        String.format(
                                "events %s/%d, people %s, operations %s, requests %s",
                                events == null ? "?" : events.toPlainString(),
                                expected,
                                compact(field(summary, "people")),
                                compact(operations),
                                compact(field(summary, "requests")));
                if (events != null
                        && events.longValue() >= expected
                        && operations != null
                        && compact(operations).equals(compact(lastOperations))) {
                    System.out.println((terminal ? "\r" : "") + "      " + progress);
                    if (events.longValue() > expected) {
                        System.out.println(
                                "      note: "
                                        + events.toPlainString()
                                        + " events arrived, "
                                        + expected
                                        + " were expected (scripts/samples/expected-events)");
                    }
                    return 0;
                }
                lastOperations = operations;
            }
            if (terminal) {
                System.out.print("\r      " + progress + "   ");
                System.out.flush();
            } else if (System.nanoTime() >= nextLine) {
                System.out.println("      " + progress);
                nextLine = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            }
            Thread.sleep(2_000);
        }
        System.out.println((terminal ? "\n" : "") + "      after " + timeoutSeconds + "s: " + progress);
        return 1;
    }

    private static Object get(String url, String path) throws IOException {
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                                    .timeout(Duration.ofSeconds(60))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("GET " + path + " answered HTTP " + response.statusCode());
            }
            return new JsonReader(response.body()).document();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("GET " + path + " answered no JSON: " + e.getMessage(), e);
        }
    }

    // ----- summary ------------------------------------------------------------------------------

    private static void printSummary(Object summary) {
        System.out.println("Summary");
        if (!(summary instanceof Map<?, ?> map)) {
            System.out.println("  " + compact(summary));
            return;
        }
        // The counters a person looks for first, then whatever else the simulator reports.
        List<String> first = List.of("requests", "operations", "people", "events");
        StringBuilder line = new StringBuilder(" ");
        for (String key : first) {
            if (map.containsKey(key)) {
                line.append(' ').append(key).append(' ').append(compact(map.get(key))).append(',');
            }
        }
        if (line.length() > 1) {
            System.out.println(line.substring(0, line.length() - 1));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!first.contains(String.valueOf(e.getKey()))) {
                System.out.println("  " + label(e.getKey()) + ": " + compact(e.getValue()));
            }
        }
        System.out.println();
    }

    // ----- people -------------------------------------------------------------------------------

    private static void printPeople(List<Object> people) {
        System.out.println("People (" + people.size() + ")");
        people.sort(Comparator.comparing(p -> personLabel(p)));
        for (Object p : people) {
            if (!(p instanceof Map<?, ?> person)) {
                System.out.println("  " + compact(p));
                continue;
            }
            StringBuilder head = new StringBuilder("  ").append(personLabel(person));
            for (String flag : List.of("unsubscribed", "suppressed")) {
                if (Boolean.TRUE.equals(person.get(flag))) {
                    head.append("  [").append(flag).append(']');
                }
            }
            if (person.get("created_at") instanceof BigDecimal createdAt) {
                head.append("  created_at ").append(time(createdAt.longValue()));
            }
            System.out.println(head);
            Map<String, Object> attributes = new TreeMap<>();
            if (person.get("attributes") instanceof Map<?, ?> attrs) {
                attrs.forEach((k, v) -> attributes.put(String.valueOf(k), v));
            }
            int width = attributes.keySet().stream().mapToInt(String::length).max().orElse(0);
            for (Map.Entry<String, Object> a : attributes.entrySet()) {
                System.out.printf("      %-" + width + "s  %s%n", a.getKey(), compact(a.getValue()));
            }
            if (person.get("devices") instanceof List<?> devices && !devices.isEmpty()) {
                System.out.println("      devices: " + compact(devices));
            }
            // Fields this report does not know about yet, so nothing is hidden.
            for (Map.Entry<?, ?> e : person.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!List.of("cio_id", "id", "email", "attributes", "unsubscribed", "suppressed",
                                "created_at", "devices")
                        .contains(key)) {
                    System.out.println("      (" + key + ": " + compact(e.getValue()) + ")");
                }
            }
        }
        System.out.println();
    }

    private static String personLabel(Object p) {
        if (!(p instanceof Map<?, ?> person)) {
            return compact(p);
        }
        Object id = person.get("id");
        Object email = person.get("email");
        String label = id != null ? "id " + id : "(no id)";
        if (email != null) {
            label += "  <" + email + ">";
        }
        return label;
    }

    // ----- events -------------------------------------------------------------------------------

    private static void printEvents(List<Object> events, int max) {
        System.out.println("Events (" + events.size() + ")");
        events.sort(
                Comparator.comparing((Object e) -> number(field(e, "timestamp")))
                        .thenComparing(e -> String.valueOf(who(e))));
        int whoWidth = 6;
        int nameWidth = 4;
        for (Object e : events) {
            whoWidth = Math.max(whoWidth, who(e).length());
            nameWidth = Math.max(nameWidth, String.valueOf(field(e, "name")).length());
        }
        String format = "  %-19s  %-" + whoWidth + "s  %-6s  %-" + nameWidth + "s  %s%n";
        System.out.printf(format, "time (UTC)", "person", "type", "name", "data");
        int shown = 0;
        for (Object e : events) {
            if (shown++ == max) {
                System.out.println("  ... and " + (events.size() - max) + " more");
                break;
            }
            if (!(e instanceof Map<?, ?>)) {
                System.out.println("  " + compact(e));
                continue;
            }
            Object ts = field(e, "timestamp");
            System.out.printf(
                    format,
                    ts instanceof BigDecimal t ? time(t.longValue()) : "-",
                    who(e),
                    String.valueOf(field(e, "type")),
                    String.valueOf(field(e, "name")),
                    field(e, "data") == null ? "" : compact(field(e, "data")));
        }
        System.out.println();
    }

    private static String who(Object event) {
        Object id = field(event, "person_id");
        return String.valueOf(id != null ? id : field(event, "person_email"));
    }

    // ----- helpers ------------------------------------------------------------------------------

    /** The list of records in a document: the document itself, or the list inside an object. */
    private static List<Object> records(Object document, String preferredKey) {
        if (document instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        if (document instanceof Map<?, ?> map) {
            if (map.get(preferredKey) instanceof List<?> list) {
                return new ArrayList<>(list);
            }
            for (Object value : map.values()) {
                if (value instanceof List<?> list) {
                    return new ArrayList<>(list);
                }
            }
            // An object keyed by id whose values are the records.
            if (!map.isEmpty() && map.values().stream().allMatch(v -> v instanceof Map)) {
                return new ArrayList<>(map.values());
            }
        }
        return new ArrayList<>(List.of(document == null ? "null" : document));
    }

    private static Object field(Object record, String name) {
        return record instanceof Map<?, ?> map ? map.get(name) : null;
    }

    private static BigDecimal number(Object value) {
        return value instanceof BigDecimal n ? n : BigDecimal.ZERO;
    }

    private static String time(long epochSeconds) {
        // Customer.io times are seconds; tolerate milliseconds too.
        long seconds = epochSeconds > 100_000_000_000L ? epochSeconds / 1000 : epochSeconds;
        return TIME.format(Instant.ofEpochSecond(seconds));
    }

    private static String label(Object key) {
        return String.valueOf(key).replace('_', ' ');
    }

    /** Compact JSON of a parsed value. */
    static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        writeCompact(value, out);
        return out.toString();
    }

    private static void writeCompact(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    case '\r' -> out.append("\\r");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        } else if (value instanceof BigDecimal n) {
            out.append(n.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean firstEntry = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!firstEntry) {
                    out.append(',');
                }
                firstEntry = false;
                writeCompact(String.valueOf(e.getKey()), out);
                out.append(':');
                writeCompact(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeCompact(list.get(i), out);
            }
            out.append(']');
        } else {
            out.append(value); // Boolean
        }
    }

    /**
     * A small strict JSON reader: objects keep their order (LinkedHashMap), numbers are
     * BigDecimal (no precision lost on 64-bit ids).
     */
    static final class JsonReader {
        private final String text;
        private int pos;

        JsonReader(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipWhitespace();
            if (pos != text.length()) {
                throw error("unexpected content after the JSON document");
            }
            return value;
        }

        private Object value() {
            skipWhitespace();
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            char c = text.charAt(pos);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++; // {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a field name");
                }
                String key = string();
                skipWhitespace();
                expect(':');
                map.put(key, value());
                skipWhitespace();
                char c = next();
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error("expected , or }");
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            pos++; // [
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipWhitespace();
                char c = next();
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw error("expected , or ]");
                }
            }
        }

        private String string() {
            pos++; // opening quote
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("truncated \\u escape");
                        }
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e); // " \ /
                }
            }
        }

        private BigDecimal number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("unexpected character '" + text.charAt(pos) + "'");
            }
            return new BigDecimal(text.substring(start, pos));
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return value;
        }

        private void skipWhitespace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private char next() {
            if (pos >= text.length()) {
                throw error("unexpected end of input");
            }
            return text.charAt(pos++);
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected '" + c + "'");
            }
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException("JSON: " + message + " at offset " + pos);
        }
    }
}
