package dev.cioforwarder.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.EventRejection;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.HostileCorpus;
import dev.cioforwarder.testing.HostileCorpus.Entry;
import dev.cioforwarder.testing.OperationChecks;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every record of the hostile corpus ({@code src/test/resources/hostile/}, plus the large ones
 * {@link HostileCorpus} generates) through the parser and, when kept, through the state machine
 * under every User ID Type and both API modes: the outcome is exactly the expected one, nothing
 * throws, every operation conforms to the official Track API description and to Customer.io's
 * limits, no detail quotes the payload, and memory stays bounded.
 */
class HostileInputTest {

    private static final long RECORD_TIME = 1_764_320_400_000L;

    /** Operations of one run checked against the official description (all of them, up to). */
    private static final int SPEC_CHECKS_PER_RUN = 300;

    private final BatchParser parser = new BatchParser();

    static Stream<Entry> corpus() {
        return HostileCorpus.all().stream();
    }

    /** Every setting combination whose rules differ: user id types × API modes, and options. */
    static List<MappingSettings> everySetting() {
        List<MappingSettings> all = new ArrayList<>();
        for (UserIdType type : UserIdType.values()) {
            for (ApiMode mode : ApiMode.values()) {
                MappingSettings s =
                        MappingSettings.defaults().withUserIdType(type).withApiMode(mode);
                all.add(s);
                all.add(
                        s.withSendCreatedAt(true)
                                .withIncludeUserAttributes(false)
                                .withResubscribeOnOptIn(true));
            }
        }
        return all;
    }

    @Test
    void everyCommittedFileHasAnExpectationAndIsSmall() {
        Map<String, String> expected = HostileCorpus.expected();
        List<String> files = HostileCorpus.committedFileNames();
        assertThat(files).hasSizeGreaterThan(150);
        assertThat(expected.keySet())
                .containsAll(files)
                .allSatisfy(
                        name ->
                                assertThat(
                                                name.startsWith(HostileCorpus.GENERATED)
                                                        || files.contains(name))
                                        .as("%s has neither a file nor a recipe", name)
                                        .isTrue());
        for (String file : files) {
            assertThat(HostileCorpus.resource(file).length)
                    .as("%s: generate large records instead of committing them", file)
                    .isLessThan(50_000);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void meetsItsExpectedOutcomeUnderEverySetting(Entry entry) {
        byte[] bytes = entry.bytes().get();
        ParseResult parsed = assertDoesNotThrow(() -> parser.parse(bytes, RECORD_TIME));
        assertDetailsSayNothingOfThePayload(bytes, parsed);

        Observed observed = observe(parsed, MappingSettings.defaults());
        assertThat(observed.toString())
                .as("%s under the default settings", entry.name())
                .isEqualTo(expectedObservation(entry.expected(), parsed, observed));
        for (String detail : observed.details) {
            assertDetailSaysNothingOfThePayload(bytes, detail);
        }

        if (!parsed.isRejected() && parsed.batch().userKey != null) {
            for (MappingSettings settings : everySetting()) {
                runTwice(entry.name(), parsed, settings);
            }
        }
    }

    private static List<String> sorted(List<String> items) {
        List<String> copy = new ArrayList<>(items);
        copy.sort(null);
        return copy;
    }

    /**
     * What the defaults made of a record, as one comparable line: the dead-letter reasons (parse
     * and mapping stage), the skips, and whether it was kept.
     */
    private static final class Observed {
        String rejection;
        final List<String> deadLetters = new ArrayList<>();
        final List<String> skips = new ArrayList<>();
        final List<String> details = new ArrayList<>();

        @Override
        public String toString() {
            if (rejection != null) {
                return "dead_letter:" + rejection;
            }
            return "kept, dead letters " + deadLetters + ", skips " + sorted(skips);
        }
    }

    private Observed observe(ParseResult parsed, MappingSettings settings) {
        Observed o = new Observed();
        if (parsed.isRejected()) {
            o.rejection = parsed.rejection().code();
            return o;
        }
        for (EventRejection r : parsed.eventRejections()) {
            o.deadLetters.add(r.reason().code());
            o.details.add(r.detail());
        }
        if (!parsed.notForwardedEventTypes().isEmpty()) {
            o.skips.add("events_not_forwarded");
        }
        if (parsed.batch().userKey == null) {
            o.skips.add(SkipReason.NO_IDENTITY.code()); // counted by the parse operator
            return o;
        }
        Transition t = new UserStateMachine(settings).apply(null, new Devices(), parsed.batch());
        for (MappingRejection r : t.rejections()) {
            o.deadLetters.add(r.reason().code());
            o.details.add(r.detail());
        }
        for (SkipReason reason : SkipReason.values()) {
            if (t.skipped(reason) > 0) {
                o.skips.add(reason.code());
            }
        }
        return o;
    }

    /** The observation the expected outcome allows, given what was observed. */
    private static String expectedObservation(
            HostileCorpus.Outcome expected, ParseResult parsed, Observed observed) {
        switch (expected.kind()) {
            case DEAD_LETTER:
                return "dead_letter:" + expected.reason();
            case EVENT_DEAD_LETTER:
                {
                    // At least one, and every one of them, with the reason; no other outcome.
                    int count = Math.max(1, observed.deadLetters.size());
                    List<String> reasons = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        reasons.add(expected.reason());
                    }
                    return "kept, dead letters " + reasons + ", skips []";
                }
            case SKIP:
                // Exactly the skips listed (skip:a,b): any other would be a loss nobody expected.
                return "kept, dead letters [], skips "
                        + sorted(List.of(expected.reason().split(",")));
            case ACCEPT:
            default:
                return "kept, dead letters [], skips []";
        }
    }

    /** Applies the batch to a new user, then once more (a replay) to the resulting state. */
    private static void runTwice(String name, ParseResult parsed, MappingSettings settings) {
        UserStateMachine machine = new UserStateMachine(settings);
        Devices devices = new Devices();
        UserState state = null;
        for (int round = 0; round < 2; round++) {
            UserState current = state;
            Transition t =
                    assertDoesNotThrow(
                            () -> machine.apply(current, devices, parsed.batch()),
                            name + " under " + settings);
            List<CustomerioOperation> ops = t.operations();
            int step = Math.max(1, ops.size() / SPEC_CHECKS_PER_RUN);
            for (int i = 0; i < ops.size(); i++) {
                boolean againstSpec = i % step == 0 || i >= ops.size() - 3;
                assertThat(OperationChecks.violations(ops.get(i), settings.apiMode(), againstSpec))
                        .as(
                                "%s under %s, operation %d: %s",
                                name,
                                settings,
                                i,
                                ops.size() > 5
                                        ? ""
                                        : new String(ops.get(i).body, StandardCharsets.UTF_8))
                        .isEmpty();
            }
            if (t.state() != null) {
                state = t.state();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Details never carry payload values.

    /**
     * The JSON string values of a record (strings followed by {@code ,} {@code }} {@code ]} or the
     * end, not keys), as they are written, escapes included.
     */
    private static List<String> stringValues(String json) {
        List<String> values = new ArrayList<>();
        int i = 0;
        while (i < json.length()) {
            if (json.charAt(i) != '"') {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < json.length() && json.charAt(end) != '"') {
                end += json.charAt(end) == '\\' ? 2 : 1;
            }
            if (end >= json.length()) {
                break;
            }
            int next = end + 1;
            while (next < json.length() && Character.isWhitespace(json.charAt(next))) {
                next++;
            }
            if (next >= json.length() || ",}]".indexOf(json.charAt(next)) >= 0) {
                values.add(json.substring(i + 1, end));
            }
            i = end + 1;
        }
        return values;
    }

    private static void assertDetailsSayNothingOfThePayload(byte[] bytes, ParseResult parsed) {
        if (parsed.isRejected()) {
            assertThat(parsed.rejectionDetail()).isNotBlank();
            assertDetailSaysNothingOfThePayload(bytes, parsed.rejectionDetail());
        }
    }

    private static void assertDetailSaysNothingOfThePayload(byte[] bytes, String detail) {
        assertThat(detail).isNotBlank().hasSizeLessThan(400).doesNotContain("PII");
        if (bytes.length > 100_000) {
            return;
        }
        for (String value : stringValues(new String(bytes, StandardCharsets.UTF_8))) {
            if (value.length() >= 4 && !value.isBlank()) {
                assertThat(detail).as("detail quotes the value %s", value).doesNotContain(value);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Bounded memory.

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void aRecordOverTheLimitIsRejectedBeforeAnyOfItIsRead() {
        byte[] huge =
                HostileCorpus.get("generated/record-20mb-over-max-record-bytes.json").bytes().get();
        parser.parse(new byte[] {'{', '}'}, RECORD_TIME); // warm up
        long before = allocatedBytes();
        ParseResult result = parser.parse(huge, RECORD_TIME);
        long allocated = allocatedBytes() - before;

        assertThat(result.rejection()).isEqualTo(DeadLetterReason.RECORD_TOO_LARGE);
        assertThat(allocated)
                .as("bytes allocated for a %d-byte record", huge.length)
                .isLessThan(16_384);
    }

    static Stream<String> bigButAllowed() {
        return Stream.of(
                "generated/user-attribute-value-5mb.json",
                "generated/event-attribute-value-5mb.json",
                "generated/events-100k.json",
                "generated/user-attributes-100k.json",
                "generated/string-7mb-in-ignored-field.json",
                "generated/nesting-10000-levels-in-ignored-field.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bigButAllowed")
    void parsingABigRecordAllocatesLessThanTwentyTimesItsSize(String name) {
        byte[] bytes = HostileCorpus.get(name).bytes().get();
        parser.parse(bytes, RECORD_TIME); // warm up: classes, Jackson's buffer recycling
        long before = allocatedBytes();
        ParseResult parsed = parser.parse(bytes, RECORD_TIME);
        long parse = allocatedBytes() - before;
        // Per byte, and per element: each attribute or event, however small, costs a few Java
        // objects (100,000 attributes of 15 bytes are 22 times their size).
        long elements =
                parsed.isRejected()
                        ? 0
                        : parsed.batch().userAttributes.size()
                                + parsed.batch().events.size()
                                + parsed.eventRejections().size();
        System.out.printf(
                "%s: %,d bytes in, %,d allocated parsing (%.1f per byte)%n",
                name, bytes.length, parse, (double) parse / bytes.length);
        assertThat(parse)
                .as(
                        "bytes allocated parsing %s (%d bytes, %d elements)",
                        name, bytes.length, elements)
                .isLessThan(20L * bytes.length + 256L * elements);

        if (!parsed.isRejected()) {
            UserStateMachine machine = new UserStateMachine(MappingSettings.defaults());
            long beforeRules = allocatedBytes();
            Transition t = machine.apply(null, new Devices(), parsed.batch());
            long rules = allocatedBytes() - beforeRules;
            // The operations themselves are output (encoded JSON, ~the input size); the rest is
            // bounded per operation.
            long output = t.operations().stream().mapToLong(op -> op.body.length).sum();
            System.out.printf(
                    "%s: %,d allocated by the rules for %,d operations of %,d bytes%n",
                    name, rules, t.operations().size(), output);
            assertThat(rules)
                    .as(
                            "bytes allocated by the rules for %s (%d bytes in, %d operations, %d"
                                    + " bytes out)",
                            name, bytes.length, t.operations().size(), output)
                    .isLessThan(20L * bytes.length + 20L * output);
        }
    }

    /** The device map the job keeps in RocksDB, in memory. */
    private static final class Devices implements DeviceFirstSeen {
        private final Map<String, Long> map = new HashMap<>();

        @Override
        public Long get(String deviceType) {
            return map.get(deviceType);
        }

        @Override
        public void put(String deviceType, long firstSeenMs) {
            map.put(deviceType, firstSeenMs);
        }
    }
}
