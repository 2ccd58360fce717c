package dev.cioforwarder.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.EventRejection;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.Fixtures;
import dev.cioforwarder.testing.OperationChecks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A bounded, reproducible fuzz run of the parser and the rules: structurally random JSON (valid and
 * not), byte-level mutations of the sample batches (flip, overwrite, insert, delete, truncate,
 * duplicate spans) and semantic ones (a random type in every known field, random Unicode with
 * astral characters, unpaired surrogates and control characters, values at Customer.io's limits).
 *
 * <p>For every input the parser must not throw and must return either a batch or a rejection with a
 * short detail that quotes no payload value; a kept batch must go through the state machine (under
 * a rotating User ID Type, API mode and options, then once more as a replay) without throwing, and
 * every operation it emits must conform to the official Track API description and to every
 * Customer.io limit.
 *
 * <p>Fixed seed, fixed number of cases. A failure prints the seed, the case and the input; rerun
 * one case with {@code -Dfuzz.seed=<seed> -Dfuzz.case=<case>}, or another run with {@code
 * -Dfuzz.seed=... -Dfuzz.cases=...}.
 */
class HostileInputFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20251128L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 20_000);
    private static final int ONLY_CASE = Integer.getInteger("fuzz.case", -1);

    private static final long RECORD_TIME = 1_764_320_400_000L;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The names the format gives fields and event types: values drawn from it are not secret. */
    private static final List<String> TOP_FIELDS =
            List.of(
                    "mpid",
                    "timestamp_unixtime_ms",
                    "batch_id",
                    "source_request_id",
                    "message_id",
                    "unique_id",
                    "user_identities",
                    "user_attributes",
                    "deleted_user_attributes",
                    "device_info",
                    "application_info",
                    "events",
                    "context",
                    "environment");

    private static final List<String> EVENT_FIELDS =
            List.of(
                    "event_name",
                    "screen_name",
                    "timestamp_unixtime_ms",
                    "source_message_id",
                    "event_id",
                    "custom_attributes",
                    "is_opted_out",
                    "is_first_run",
                    "new",
                    "old",
                    "session_id");

    private static final List<String> EVENT_TYPES =
            List.of(
                    "custom_event",
                    "screen_view",
                    "opt_out",
                    "application_state_transition",
                    "first_run",
                    "user_identity_change",
                    "session_start",
                    "commerce_event",
                    "Custom_Event",
                    "");

    private static final List<String> ATTRIBUTE_NAMES =
            List.of(
                    "$FirstName",
                    "$firstname",
                    "$LastName",
                    "$Mobile",
                    "$Age",
                    "unsubscribed",
                    "id",
                    "email",
                    "created_at",
                    "cio_id",
                    "_timestamp",
                    "plan",
                    "",
                    " ",
                    "n".repeat(150),
                    "n".repeat(151),
                    "é".repeat(75),
                    "é".repeat(76),
                    "😀".repeat(37) + "ab",
                    "😀".repeat(38));

    private final BatchParser parser = new BatchParser();
    private final List<byte[]> seeds = new ArrayList<>();
    private final Set<String> fixtureValues = new HashSet<>();
    private final List<MappingSettings> settings = HostileInputTest.everySetting();
    private final List<UserStateMachine> machines = new ArrayList<>();

    /** Strings this case put into values; none may appear in a detail. */
    private final List<String> planted = new ArrayList<>();

    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void theParserAndTheRulesHoldOnEveryGeneratedInput() throws Exception {
        for (String name : Fixtures.ALL) {
            byte[] bytes = Fixtures.bytes(name);
            seeds.add(bytes);
            collectValues(MAPPER.readTree(bytes), fixtureValues);
        }
        for (MappingSettings s : settings) {
            machines.add(new UserStateMachine(s)); // reused across cases, as in an operator
        }

        long start = System.nanoTime();
        int first = ONLY_CASE >= 0 ? ONLY_CASE : 0;
        int last = ONLY_CASE >= 0 ? ONLY_CASE + 1 : CASES;
        for (int c = first; c < last; c++) {
            Random random = new Random(SEED * 1_000_003L + c);
            planted.clear();
            int strategy = c % 3;
            byte[] input;
            try {
                input =
                        strategy == 0
                                ? structural(random)
                                : strategy == 1 ? byteMutation(random) : semanticMutation(random);
            } catch (Exception e) {
                throw new IllegalStateException("generator failed: seed " + SEED + " case " + c, e);
            }
            try {
                check(input, c);
            } catch (Throwable t) {
                throw new AssertionError(
                        String.format(
                                "fuzz case failed: reproduce with -Dfuzz.seed=%d -Dfuzz.case=%d"
                                        + " (strategy %s)%ninput (%d bytes): %s",
                                SEED,
                                c,
                                List.of("structural", "bytes", "semantic").get(strategy),
                                input.length,
                                printable(input)),
                        t);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf(
                "fuzz: seed %d, %d cases in %d ms; outcomes %s%n",
                SEED, last - first, ms, outcomes);

        if (ONLY_CASE < 0) {
            // The run is only worth something if it reaches both sides of the parser.
            assertThat(outcomes.getOrDefault("kept", 0)).as("cases kept").isGreaterThan(CASES / 4);
            assertThat(outcomes.getOrDefault("operations", 0))
                    .as("operations checked")
                    .isGreaterThan(CASES / 2);
            assertThat(outcomes.keySet().stream().filter(k -> k.startsWith("rejected ")))
                    .as("distinct rejection reasons")
                    .hasSizeGreaterThanOrEqualTo(10);
            assertThat(outcomes)
                    .as("limits reached")
                    .containsKeys(
                            "event event_invalid",
                            "mapping event_name_too_long",
                            "mapping event_data_too_large",
                            "mapping operation_too_large",
                            "skip attribute_value_too_long",
                            "skip attribute_name_too_long",
                            "skip identifier_too_long");
        }
    }

    private void check(byte[] input, int c) {
        ParseResult parsed = parser.parse(input, RECORD_TIME);
        assertThat(parsed).isNotNull();
        if (parsed.isRejected()) {
            assertThat(parsed.batch()).isNull();
            assertThat(parsed.rejection()).isNotNull();
            assertDetail(parsed.rejectionDetail());
            count("rejected " + parsed.rejection().code());
            return;
        }
        assertThat(parsed.batch()).isNotNull();
        count("kept");
        for (EventRejection r : parsed.eventRejections()) {
            assertDetail(r.detail());
            count("event " + r.reason().code());
        }
        if (parsed.batch().userKey == null) {
            return;
        }
        int index = c % settings.size();
        UserStateMachine machine = machines.get(index);
        MappingSettings s = settings.get(index);
        Map<String, Long> devices = new HashMap<>();
        DeviceFirstSeen deviceMap =
                new DeviceFirstSeen() {
                    @Override
                    public Long get(String deviceType) {
                        return devices.get(deviceType);
                    }

                    @Override
                    public void put(String deviceType, long firstSeenMs) {
                        devices.put(deviceType, firstSeenMs);
                    }
                };
        UserState state = null;
        for (int round = 0; round < 2; round++) {
            Transition t = machine.apply(state, deviceMap, parsed.batch());
            for (CustomerioOperation op : t.operations()) {
                List<String> violations = OperationChecks.violations(op, s.apiMode(), true);
                assertThat(violations)
                        .as(
                                "operation under %s: %s",
                                s, new String(op.body, StandardCharsets.UTF_8))
                        .isEmpty();
                count("operations");
            }
            for (dev.cioforwarder.mapping.SkipReason reason :
                    dev.cioforwarder.mapping.SkipReason.values()) {
                if (t.skipped(reason) > 0) {
                    count("skip " + reason.code());
                }
            }
            for (MappingRejection r : t.rejections()) {
                assertDetail(r.detail());
                count("mapping " + r.reason().code());
            }
            if (t.state() != null) {
                state = t.state();
            }
        }
    }

    private void assertDetail(String detail) {
        assertThat(detail).isNotBlank().hasSizeLessThan(400);
        for (String value : fixtureValues) {
            assertThat(detail).as("the detail quotes a fixture value").doesNotContain(value);
        }
        for (String value : planted) {
            assertThat(detail).as("the detail quotes a generated value").doesNotContain(value);
        }
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    // ------------------------------------------------------------------------------------------
    // Strategy 1: structurally random JSON, sometimes broken.

    private byte[] structural(Random r) {
        StringBuilder out = new StringBuilder();
        if (r.nextInt(10) == 0) {
            randomValue(r, out, 0);
        } else {
            // Mostly an object with the format's fields, so the parser goes deep.
            out.append('{');
            int fields = r.nextInt(8);
            for (int i = 0; i < fields; i++) {
                if (i > 0) {
                    out.append(',');
                }
                String key =
                        r.nextInt(6) == 0
                                ? randomText(r, 6)
                                : TOP_FIELDS.get(r.nextInt(TOP_FIELDS.size()));
                out.append(MAPPER.valueToTree(key).toString()).append(':');
                if (key.equals("events")) {
                    randomEvents(r, out);
                } else {
                    randomValue(r, out, 1);
                }
            }
            out.append('}');
        }
        String json = out.toString();
        if (r.nextInt(4) == 0) {
            json = breakSyntax(r, json);
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private void randomEvents(Random r, StringBuilder out) {
        out.append('[');
        int events = r.nextInt(5);
        for (int i = 0; i < events; i++) {
            if (i > 0) {
                out.append(',');
            }
            if (r.nextInt(8) == 0) {
                randomValue(r, out, 2);
                continue;
            }
            out.append("{\"event_type\":");
            if (r.nextInt(6) == 0) {
                randomValue(r, out, 3);
            } else {
                out.append('"').append(EVENT_TYPES.get(r.nextInt(EVENT_TYPES.size()))).append('"');
            }
            out.append(",\"data\":{");
            int fields = r.nextInt(5);
            Set<String> used = new HashSet<>();
            for (int f = 0; f < fields; f++) {
                String key = EVENT_FIELDS.get(r.nextInt(EVENT_FIELDS.size()));
                if (!used.add(key) && r.nextInt(10) != 0) {
                    continue; // a duplicate key now and then
                }
                if (f > 0) {
                    out.append(',');
                }
                out.append('"').append(key).append("\":");
                randomValue(r, out, 3);
            }
            out.append("}}");
        }
        out.append(']');
    }

    private void randomValue(Random r, StringBuilder out, int depth) {
        int kind = r.nextInt(depth > 5 ? 6 : 9);
        switch (kind) {
            case 0:
                out.append("null");
                break;
            case 1:
                out.append(r.nextBoolean());
                break;
            case 2:
            case 3:
                out.append(randomNumberText(r));
                break;
            case 4:
            case 5:
                out.append(jsonString(plant(randomText(r, 40))));
                break;
            case 6:
            case 7:
                {
                    out.append('{');
                    int n = r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            out.append(',');
                        }
                        String key =
                                r.nextBoolean()
                                        ? ATTRIBUTE_NAMES.get(r.nextInt(ATTRIBUTE_NAMES.size()))
                                        : r.nextBoolean()
                                                ? EVENT_FIELDS.get(r.nextInt(EVENT_FIELDS.size()))
                                                : randomText(r, 12);
                        out.append(jsonString(key)).append(':');
                        randomValue(r, out, depth + 1);
                    }
                    out.append('}');
                    break;
                }
            default:
                {
                    out.append('[');
                    int n = r.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            out.append(',');
                        }
                        randomValue(r, out, depth + 1);
                    }
                    out.append(']');
                }
        }
    }

    private static String randomNumberText(Random r) {
        switch (r.nextInt(14)) {
            case 0:
                return Long.toString(r.nextLong());
            case 1:
                return Long.toString(Long.MAX_VALUE);
            case 2:
                return "9223372036854775808";
            case 3:
                return "-9223372036854775809";
            case 4:
                return Long.toString(1L << 48);
            case 5:
                return Long.toString((1L << 48) - 1);
            case 6:
                return "-" + r.nextInt(1000);
            case 7:
                return r.nextInt(100) + "." + r.nextInt(1000);
            case 8:
                return r.nextInt(10) + "e" + (r.nextInt(700) - 350);
            case 9:
                return "1" + "0".repeat(r.nextInt(80)); // around the 64-digit limit
            case 10:
                return "-0";
            case 11:
                return "1764320400" + (100 + r.nextInt(900));
            default:
                return Integer.toString(r.nextInt(10_000));
        }
    }

    private static String breakSyntax(Random r, String json) {
        if (json.isEmpty()) {
            return "{";
        }
        int at = r.nextInt(json.length());
        switch (r.nextInt(8)) {
            case 0:
                return json.substring(0, at); // truncated
            case 1:
                return json.substring(0, at) + "," + json.substring(at);
            case 2:
                return json.substring(0, at) + json.substring(Math.min(json.length(), at + 1));
            case 3:
                return json + json; // two documents
            case 4:
                return json.substring(0, at) + "'" + json.substring(at);
            case 5:
                return json.substring(0, at) + "/* c */" + json.substring(at);
            case 6:
                return json.substring(0, at) + "NaN" + json.substring(at);
            default:
                return "\uFEFF" + json;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Strategy 2: byte-level mutations of the sample batches.

    private static final byte[] INTERESTING_BYTES = {
        0,
        '"',
        '\\',
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        ' ',
        'u',
        '0',
        '-',
        '.',
        'e',
        (byte) 0x80,
        (byte) 0xBF,
        (byte) 0xC0,
        (byte) 0xC3,
        (byte) 0xE2,
        (byte) 0xED,
        (byte) 0xF0,
        (byte) 0xF4,
        (byte) 0xFF,
        0x1F,
        0x7F
    };

    private byte[] byteMutation(Random r) {
        byte[] data = seeds.get(r.nextInt(seeds.size())).clone();
        int mutations = 1 + r.nextInt(4);
        for (int m = 0; m < mutations && data.length > 0; m++) {
            int at = r.nextInt(data.length);
            switch (r.nextInt(7)) {
                case 0:
                    data[at] ^= (byte) (1 << r.nextInt(8));
                    break;
                case 1:
                    data[at] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
                    break;
                case 2:
                    data =
                            splice(
                                    data,
                                    at,
                                    at,
                                    new byte[] {
                                        INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)]
                                    });
                    break;
                case 3:
                    data =
                            splice(
                                    data,
                                    at,
                                    Math.min(data.length, at + 1 + r.nextInt(16)),
                                    new byte[0]);
                    break;
                case 4:
                    data = java.util.Arrays.copyOf(data, at);
                    break;
                case 5:
                    {
                        int from = r.nextInt(data.length);
                        int to = Math.min(data.length, from + 1 + r.nextInt(64));
                        data = splice(data, at, at, java.util.Arrays.copyOfRange(data, from, to));
                        break;
                    }
                default:
                    {
                        // Swap two spans' positions by moving one.
                        int to = Math.min(data.length, at + 1 + r.nextInt(32));
                        byte[] span = java.util.Arrays.copyOfRange(data, at, to);
                        data = splice(data, at, to, new byte[0]);
                        int where = data.length == 0 ? 0 : r.nextInt(data.length);
                        data = splice(data, where, where, span);
                    }
            }
        }
        return data;
    }

    private static byte[] splice(byte[] data, int from, int to, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + insert.length);
        out.write(data, 0, from);
        out.write(insert, 0, insert.length);
        out.write(data, to, data.length - to);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------
    // Strategy 3: semantic mutations of the sample batches.

    private byte[] semanticMutation(Random r) throws IOException {
        ObjectNode batch = (ObjectNode) MAPPER.readTree(seeds.get(r.nextInt(seeds.size())));
        int mutations = 1 + r.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            switch (r.nextInt(7)) {
                case 0:
                    batch.set(TOP_FIELDS.get(r.nextInt(TOP_FIELDS.size())), randomNode(r, 0));
                    break;
                case 1:
                    mutateEvent(r, batch);
                    break;
                case 2:
                    mutateIdentities(r, batch);
                    break;
                case 3:
                    {
                        ObjectNode attributes = NODES.objectNode();
                        int n = r.nextInt(r.nextInt(10) == 0 ? 400 : 12);
                        for (int i = 0; i < n; i++) {
                            String name =
                                    r.nextBoolean()
                                            ? ATTRIBUTE_NAMES.get(r.nextInt(ATTRIBUTE_NAMES.size()))
                                            : "a" + i + randomText(r, 4);
                            attributes.set(name, randomAttributeValue(r));
                        }
                        batch.set("user_attributes", attributes);
                        break;
                    }
                case 4:
                    {
                        ArrayNode deleted = NODES.arrayNode();
                        for (int i = r.nextInt(4); i > 0; i--) {
                            deleted.add(
                                    r.nextInt(5) == 0
                                            ? randomNode(r, 2)
                                            : NODES.textNode(
                                                    ATTRIBUTE_NAMES.get(
                                                            r.nextInt(ATTRIBUTE_NAMES.size()))));
                        }
                        batch.set("deleted_user_attributes", deleted);
                        break;
                    }
                case 5:
                    batch.remove(TOP_FIELDS.get(r.nextInt(TOP_FIELDS.size())));
                    break;
                default:
                    {
                        ObjectNode device = NODES.objectNode();
                        device.set(
                                "platform",
                                r.nextBoolean()
                                        ? randomNode(r, 2)
                                        : NODES.textNode(randomText(r, 8)));
                        batch.set(r.nextBoolean() ? "device_info" : "application_info", device);
                    }
            }
        }
        return MAPPER.writeValueAsBytes(batch);
    }

    private void mutateEvent(Random r, ObjectNode batch) {
        JsonNode events = batch.get("events");
        ArrayNode array;
        if (events instanceof ArrayNode) {
            array = (ArrayNode) events;
        } else {
            array = NODES.arrayNode();
            batch.set("events", array);
        }
        ObjectNode event = NODES.objectNode();
        ObjectNode data = NODES.objectNode();
        if (array.size() > 0 && r.nextBoolean()) {
            JsonNode existing = array.get(r.nextInt(array.size()));
            if (existing instanceof ObjectNode && existing.get("data") instanceof ObjectNode) {
                event = (ObjectNode) existing;
                data = (ObjectNode) existing.get("data");
            }
        } else {
            event.put("event_type", EVENT_TYPES.get(r.nextInt(EVENT_TYPES.size())));
            event.set("data", data);
            array.insert(array.size() == 0 ? 0 : r.nextInt(array.size() + 1), event);
        }
        switch (r.nextInt(6)) {
            case 0:
                event.set("event_type", randomNode(r, 2));
                break;
            case 1:
                event.set("data", randomNode(r, 2));
                break;
            case 2:
                data.set("event_name", NODES.textNode(plant(randomName(r))));
                data.set("screen_name", NODES.textNode(plant(randomName(r))));
                break;
            case 3:
                {
                    ObjectNode custom = NODES.objectNode();
                    if (r.nextInt(4) == 0) {
                        // Event data around the 32 KB operation and 100,000-byte data limits.
                        int n = r.nextBoolean() ? 30 + r.nextInt(5) : 97 + r.nextInt(6);
                        for (int i = 0; i < n; i++) {
                            custom.put("k" + i, "d".repeat(960 + r.nextInt(80)));
                        }
                    } else {
                        int n = r.nextInt(r.nextInt(10) == 0 ? 150 : 8);
                        for (int i = 0; i < n; i++) {
                            custom.set("k" + i + randomText(r, 3), randomAttributeValue(r));
                        }
                    }
                    data.set("custom_attributes", custom);
                    break;
                }
            default:
                data.set(EVENT_FIELDS.get(r.nextInt(EVENT_FIELDS.size())), randomNode(r, 1));
        }
    }

    private void mutateIdentities(Random r, ObjectNode batch) {
        if (r.nextBoolean()) {
            ObjectNode identities = NODES.objectNode();
            identities.set(
                    "customer_id",
                    r.nextInt(4) == 0 ? randomNode(r, 2) : NODES.textNode(plant(randomName(r))));
            identities.set(
                    "email",
                    r.nextInt(4) == 0 ? randomNode(r, 2) : NODES.textNode(plant(randomName(r))));
            batch.set("user_identities", identities);
        } else {
            ArrayNode identities = NODES.arrayNode();
            for (int i = r.nextInt(4); i > 0; i--) {
                if (r.nextInt(6) == 0) {
                    identities.add(randomNode(r, 2));
                    continue;
                }
                ObjectNode identity = identities.addObject();
                identity.put("identity_type", r.nextBoolean() ? "customer_id" : "email");
                identity.set(
                        "identity",
                        r.nextInt(5) == 0
                                ? randomNode(r, 2)
                                : NODES.textNode(plant(randomName(r))));
            }
            batch.set("user_identities", identities);
        }
    }

    /** A name or identifier around Customer.io's limits (100 and 150 bytes), in any script. */
    private String randomName(Random r) {
        switch (r.nextInt(6)) {
            case 0:
                return "x".repeat(95 + r.nextInt(10));
            case 1:
                return "😀".repeat(24 + r.nextInt(3)) + "a".repeat(r.nextInt(3));
            case 2:
                return "é".repeat(72 + r.nextInt(6));
            case 3:
                return "  " + randomText(r, 20) + " \t";
            default:
                return randomText(r, 30);
        }
    }

    private JsonNode randomAttributeValue(Random r) {
        switch (r.nextInt(8)) {
            case 0:
                return NODES.textNode(plant("v".repeat(995 + r.nextInt(10))));
            case 1:
                return NODES.textNode(plant("é".repeat(498 + r.nextInt(4))));
            case 2:
                {
                    ArrayNode list = NODES.arrayNode();
                    for (int i = r.nextInt(5); i > 0; i--) {
                        list.add(plant(randomText(r, 300)));
                    }
                    return list;
                }
            default:
                return randomNode(r, 2);
        }
    }

    private JsonNode randomNode(Random r, int depth) {
        switch (r.nextInt(depth > 4 ? 5 : 8)) {
            case 0:
                return NODES.nullNode();
            case 1:
                return NODES.booleanNode(r.nextBoolean());
            case 2:
                try {
                    return MAPPER.readTree(randomNumberText(r));
                } catch (IOException e) {
                    return NODES.numberNode(r.nextLong()); // over the 64-digit limit
                }
            case 3:
            case 4:
                return NODES.textNode(plant(randomText(r, 40)));
            case 5:
                {
                    ArrayNode a = NODES.arrayNode();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        a.add(randomNode(r, depth + 1));
                    }
                    return a;
                }
            case 6:
                {
                    ObjectNode o = NODES.objectNode();
                    for (int i = r.nextInt(4); i > 0; i--) {
                        o.set(randomText(r, 8), randomNode(r, depth + 1));
                    }
                    return o;
                }
            default:
                {
                    // Deep nesting around the 64-level limit.
                    JsonNode node = NODES.numberNode(1);
                    for (int i = 55 + r.nextInt(15); i > 0; i--) {
                        node = NODES.arrayNode().add(node);
                    }
                    return node;
                }
        }
    }

    /**
     * Random text: ASCII, quotes and backslashes, control characters, Latin, CJK, U+2028, BOMs,
     * noncharacters, astral characters (emoji, U+10FFFF) and unpaired surrogates.
     */
    private static String randomText(Random r, int maxLength) {
        int length = r.nextInt(maxLength + 1);
        StringBuilder s = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            switch (r.nextInt(12)) {
                case 0:
                    s.append((char) r.nextInt(0x20));
                    break;
                case 1:
                    s.append("\"\\/'".charAt(r.nextInt(4)));
                    break;
                case 2:
                    s.append((char) (0xA0 + r.nextInt(0x160)));
                    break;
                case 3:
                    s.append((char) (0x4E00 + r.nextInt(0x5000)));
                    break;
                case 4:
                    s.append(
                            "\u2028\u2029\uFEFF\uFFFE\uFFFF\uFFFD\u200D\u202E"
                                    .charAt(r.nextInt(8)));
                    break;
                case 5:
                    s.appendCodePoint(0x1F300 + r.nextInt(0x300));
                    break;
                case 6:
                    s.appendCodePoint(r.nextBoolean() ? 0x10FFFF : 0x10000 + r.nextInt(0xFFFFF));
                    break;
                case 7:
                    s.append((char) (0xD800 + r.nextInt(0x800))); // unpaired surrogate
                    break;
                default:
                    s.append((char) (0x20 + r.nextInt(0x5F)));
            }
        }
        return s.toString();
    }

    /** Remembers a generated value, so a detail quoting it is caught. */
    private String plant(String value) {
        String clean = dev.cioforwarder.json.Utf8.wellFormed(value).strip();
        if (clean.length() >= 6 && !clean.isBlank()) {
            planted.add(clean);
        }
        return value;
    }

    private static String jsonString(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The fixtures' string values of 5 characters or more, but not the format's own words ({@code
     * customer_id}, {@code custom_event}): those are enumerations, and a detail may name them as
     * fields.
     */
    private static void collectValues(JsonNode node, Set<String> out) {
        if (node.isTextual()) {
            String text = node.asText();
            if (text.length() >= 5 && !text.matches("[a-z_]+")) {
                out.add(text);
            }
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            collectValues(it.next(), out);
        }
    }

    /**
     * The input cut at 2,000 characters: as text when it is UTF-8 (control characters, quotes'
     * backslashes and non-ASCII escaped as in Java), else as hex bytes.
     */
    private static String printable(byte[] input) {
        StringBuilder s = new StringBuilder();
        if (dev.cioforwarder.json.Utf8.firstInvalidByte(input) < 0) {
            String text = new String(input, StandardCharsets.UTF_8);
            for (int i = 0; i < text.length() && s.length() < 2_000; i++) {
                char c = text.charAt(i);
                if (c >= 0x20 && c < 0x7F && c != '\\') {
                    s.append(c);
                } else {
                    s.append(String.format("\\u%04x", (int) c));
                }
            }
            return "text \"" + s + (s.length() >= 2_000 ? "…" : "") + "\"";
        }
        for (int i = 0; i < input.length && s.length() < 2_000; i++) {
            s.append(String.format("%02x", input[i] & 0xFF));
        }
        return "hex " + s + (s.length() >= 2_000 ? "…" : "");
    }
}
