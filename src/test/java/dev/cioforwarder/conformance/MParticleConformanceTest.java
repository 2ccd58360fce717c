package dev.cioforwarder.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.CreatedAtPolicy;
import dev.cioforwarder.mapping.MappingRejection;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.SkipReason;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserIdType;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.OperationChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * mParticle's own shapes ({@code src/test/resources/mparticle/conformance}, one batch per
 * documented event type and variant, with the README saying where each shape comes from) through
 * the parser, the rules and both encoders: a valid batch never produces a dead letter under any
 * setting, every operation is valid against Customer.io's description and within its limits, and
 * each event ends as {@code expected.properties} documents it.
 */
class MParticleConformanceTest {

    private static final String DIR = "/mparticle/conformance/";
    private static final long RECORD_TIME = 1_764_400_000_000L;

    static Stream<String> corpus() {
        try (Stream<Path> files = Files.list(directory())) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".json"))
                    .sorted()
                    .collect(Collectors.toList())
                    .stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theCorpusCoversEveryEventTypeMParticleDocuments() {
        List<String> documented =
                List.of(
                        "custom_event",
                        "screen_view",
                        "commerce_event",
                        "user_attribute_change",
                        "user_identity_change",
                        "opt_out",
                        "application_state_transition",
                        "push_registration",
                        "push_message",
                        "session_start",
                        "session_end",
                        "breadcrumb",
                        "crash_report",
                        "network_performance",
                        "uninstall",
                        "profile",
                        "first_run");
        String all = String.join(",", expected().values());
        for (String type : documented) {
            assertThat(all).as("an event of type %s in the corpus", type).contains(type + ":");
        }
    }

    @Test
    void everyFileHasItsExpectedOutcomeAndItsSourceInTheReadme() throws IOException {
        List<String> files = corpus().collect(Collectors.toList());
        assertThat(expected().keySet()).containsExactlyInAnyOrderElementsOf(files);
        String readme = Files.readString(directory().resolve("README.md"));
        for (String file : files) {
            assertThat(readme).as("README.md names %s", file).contains("`" + file + "`");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsAsDocumented(String file) {
        ParseResult parsed = parse(file);
        assertThat(parsed.isRejected()).as("%s: %s", file, parsed).isFalse();
        assertThat(parsed.eventRejections()).as(file).isEmpty();

        List<String[]> outcomes = outcomes(file);
        UserStateMachine machine = new UserStateMachine(MappingSettings.defaults());
        Transition t = apply(machine, null, new HashMap<>(), parsed);

        assertThat(t.rejections()).as("%s: dead letters", file).isEmpty();
        assertThat(t.eventsForwarded() + t.screensForwarded() + t.commerceEventsForwarded())
                .as("%s: events forwarded", file)
                .isEqualTo(count(outcomes, "forwarded"));
        assertThat(parsed.notForwardedEventTypes())
                .as("%s: event types not forwarded", file)
                .containsExactlyInAnyOrderElementsOf(typesWith(outcomes, "not_forwarded"));
        for (SkipReason reason :
                List.of(
                        SkipReason.SCREEN_EXIT,
                        SkipReason.SCREEN_NAME_MISSING,
                        SkipReason.COMMERCE_ACTION_MISSING,
                        SkipReason.COMMERCE_ACTION_UNKNOWN)) {
            assertThat(t.skipped(reason))
                    .as("%s: skipped %s", file, reason.code())
                    .isEqualTo(count(outcomes, "skipped:" + reason.code()));
        }
        boolean noIdentity = count(outcomes, "skipped:no_identity") > 0;
        assertThat(t.skipped(SkipReason.NO_IDENTITY) > 0)
                .as("%s: no identity", file)
                .isEqualTo(noIdentity || parsed.batch().userKey == null);
        if (noIdentity) {
            assertThat(t.operations()).as(file).isEmpty();
        }
        String optState = lastOptOutcome(outcomes);
        if (optState != null) {
            assertThat(t.state()).as("%s: state kept", file).isNotNull();
            assertThat(t.state().optedOut)
                    .as("%s: opted out", file)
                    .isEqualTo(optState.equals("opt_out"));
        }
        assertValid(file, t, ApiMode.V2_BATCH);
    }

    /** Every setting a user can choose: still no dead letter, still valid operations. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void producesNoDeadLetterUnderAnySetting(String file) {
        ParseResult parsed = parse(file);
        for (MappingSettings settings : everySetting()) {
            Transition t = apply(new UserStateMachine(settings), null, new HashMap<>(), parsed);
            assertThat(t.rejections())
                    .as("%s under %s", file, settings)
                    .extracting(MappingRejection::toString)
                    .isEmpty();
            assertValid(file + " under " + settings, t, settings.apiMode());
        }
    }

    @Test
    void theWholeCorpusAsOneUsersHistoryStaysValid() {
        // The same user seen in every file one after another: state carried between batches
        // (identities, opt-outs, devices, removals) never leads to a dead letter either.
        for (MappingSettings settings : everySetting()) {
            UserStateMachine machine = new UserStateMachine(settings);
            UserState state = null;
            Map<String, Long> devices = new HashMap<>();
            for (String file : corpus().collect(Collectors.toList())) {
                Transition t = apply(machine, state, devices, parse(file));
                assertThat(t.rejections()).as("%s under %s", file, settings).isEmpty();
                assertValid(file + " under " + settings, t, settings.apiMode());
                if (t.state() != null) {
                    state = t.state();
                }
            }
        }
    }

    @Test
    void androidAutomaticScreenTrackingForwardsEachScreenOnce() {
        Transition t =
                apply(
                        new UserStateMachine(MappingSettings.defaults()),
                        null,
                        new HashMap<>(),
                        parse("android-auto-screen-views-started-stopped.json"));
        List<String> screens = new ArrayList<>();
        for (CustomerioOperation op : t.operations()) {
            if (op.kind == OperationKind.SCREEN) {
                screens.add(new String(op.body, StandardCharsets.UTF_8));
            }
        }
        assertThat(screens).hasSize(2);
        assertThat(screens.get(0)).contains("\"name\":\"com.example.shopfront.CartActivity\"");
        assertThat(screens.get(1)).contains("\"name\":\"com.example.shopfront.CheckoutActivity\"");
    }

    private static void assertValid(String what, Transition t, ApiMode mode) {
        for (CustomerioOperation op : t.operations()) {
            assertThat(OperationChecks.violations(op, mode, true))
                    .as("%s: %s", what, new String(op.body, StandardCharsets.UTF_8))
                    .isEmpty();
        }
    }

    private static List<MappingSettings> everySetting() {
        List<MappingSettings> all = new ArrayList<>();
        for (UserIdType idType : UserIdType.values()) {
            for (ApiMode mode : ApiMode.values()) {
                for (boolean flag : new boolean[] {false, true}) {
                    all.add(
                            MappingSettings.builder()
                                    .userIdType(idType)
                                    .apiMode(mode)
                                    .includeUserAttributes(!flag)
                                    .sendCreatedAt(flag)
                                    .createdAtPolicy(
                                            flag
                                                    ? CreatedAtPolicy.FIRST_RUN_ONLY
                                                    : CreatedAtPolicy.FIRST_SEEN)
                                    .resubscribeOnOptIn(flag)
                                    .updateEmailById(flag)
                                    .allowMessageRoutingProperties(flag)
                                    .forwardCommerceEvents(!flag)
                                    .build());
                }
            }
        }
        return all;
    }

    private static Transition apply(
            UserStateMachine machine,
            UserState state,
            Map<String, Long> devices,
            ParseResult parsed) {
        return machine.apply(
                state,
                new DeviceFirstSeen() {
                    @Override
                    public Long get(String deviceType) {
                        return devices.get(deviceType);
                    }

                    @Override
                    public void put(String deviceType, long firstSeenMs) {
                        devices.put(deviceType, firstSeenMs);
                    }
                },
                parsed.batch());
    }

    private static ParseResult parse(String file) {
        try (InputStream in = MParticleConformanceTest.class.getResourceAsStream(DIR + file)) {
            return new BatchParser().parse(in.readAllBytes(), RECORD_TIME);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code [event_type, outcome]} per event, in batch order. */
    private static List<String[]> outcomes(String file) {
        String line = expected().get(file);
        List<String[]> out = new ArrayList<>();
        if (line == null || line.isBlank()) {
            return out;
        }
        for (String item : line.split(",")) {
            out.add(item.split(":", 2));
        }
        return out;
    }

    private static int count(List<String[]> outcomes, String outcome) {
        return (int) outcomes.stream().filter(o -> o[1].equals(outcome)).count();
    }

    private static List<String> typesWith(List<String[]> outcomes, String outcome) {
        return outcomes.stream()
                .filter(o -> o[1].equals(outcome))
                .map(o -> o[0])
                .collect(Collectors.toList());
    }

    private static String lastOptOutcome(List<String[]> outcomes) {
        String last = null;
        for (String[] o : outcomes) {
            if (o[1].equals("opt_out") || o[1].equals("opt_in")) {
                last = o[1];
            }
        }
        return last;
    }

    private static Map<String, String> expected() {
        Properties p = new Properties();
        try (InputStream in =
                MParticleConformanceTest.class.getResourceAsStream(DIR + "expected.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }

    private static Path directory() {
        try {
            return Path.of(MParticleConformanceTest.class.getResource(DIR).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
