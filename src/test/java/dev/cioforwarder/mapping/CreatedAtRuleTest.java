package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.customer;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import dev.cioforwarder.mparticle.MParticleBatch;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code created_at}: the first-seen time of the device type the user was last seen on, sent only
 * when it changes.
 */
class CreatedAtRuleTest {

    private static final MappingSettings FIRST_SEEN =
            MappingSettings.defaults().withSendCreatedAt(true);

    private static final MappingSettings FIRST_RUN_ONLY =
            FIRST_SEEN.toBuilder().createdAtPolicy(CreatedAtPolicy.FIRST_RUN_ONLY).build();

    /** The created_at the batch sent, or null. */
    private static Long createdAt(List<Op> ops) {
        return ops.stream()
                .filter(op -> op.kind() == OperationKind.IDENTIFY)
                .filter(op -> op.attributes().has("created_at"))
                .map(op -> op.attributes().get("created_at").asLong())
                .findFirst()
                .orElse(null);
    }

    private static Batch seen(String platform, long batchMs, long eventMs) {
        return customer().platform(platform).at(batchMs).events(Events.sessionStart(eventMs));
    }

    @Nested
    class DeviceType {

        @ParameterizedTest(name = "platform {0}, os {1} → {2}")
        @CsvSource(
                nullValues = "-",
                value = {
                    "iOS, -, ios",
                    "-, IOS, ios",
                    "Android, -, android",
                    "-, Android, android",
                    "web, -, web",
                    "-, MobileWeb, web",
                    "smart_tv, -, smart_tv",
                    "-, SmartTV, smart_tv",
                    "fire_tv, -, fire_tv",
                    "-, FireTV, fire_tv",
                    "alexa, -, alexa",
                    "-, Alexa, alexa",
                    "-, AlexaOS, alexa",
                    "out_of_band, -, out_of_band",
                    "-, OutOfBand, out_of_band",
                    "-, UnityIOS, ios",
                    "-, UnityAndroid, android",
                    "tvOS, -, tvos",
                    "roku, -, roku",
                    "' iOS ', -, ios",
                    // The platform wins over the os.
                    "Android, IOS, android",
                    "-, -, -"
                })
        void isThePlatformElseTheOsWithBothSpellingsAsOneType(
                String platform, String os, String type) {
            MParticleBatch batch = new MParticleBatch();
            batch.platform = platform;
            batch.applicationOs = os;
            assertThat(CreatedAtRule.deviceType(batch)).isEqualTo(type);
        }

        @Test
        void bothSpellingsShareOneFirstSeenTime() {
            User user = new User(FIRST_SEEN);
            assertThat(createdAt(user.apply(seen("web", T, T - 9_000_000))))
                    .isEqualTo((T - 9_000_000) / 1000);
            // The same device type under the os spelling, seen later: nothing new.
            List<Op> ops =
                    user.apply(
                            customer()
                                    .os("MobileWeb")
                                    .at(T + 10_000)
                                    .events(Events.sessionStart(T + 5_000)));
            assertThat(ops).isEmpty();
            assertThat(user.devices).containsOnlyKeys("web");
        }

        @Test
        void aBatchWithoutDeviceTypeNeitherRecordsNorBecomesTheLastSeen() {
            User user = new User(FIRST_SEEN);
            user.apply(seen("iOS", T, T - 9_000_000));
            user.apply(seen("Android", T + 10_000, T + 5_000));
            assertThat(user.state.lastSeenDeviceType).isEqualTo("android");

            // A server-to-server batch with an earlier time and a newer batch time.
            List<Op> ops =
                    user.apply(
                            customer()
                                    .at(T + 20_000)
                                    .attributes("{\"plan\":\"pro\"}")
                                    .events(Events.sessionStart(T - 20_000_000)));
            assertThat(ops).singleElement();
            assertThat(createdAt(ops)).isNull();
            assertThat(user.devices)
                    .containsOnlyKeys("ios", "android")
                    .containsEntry("ios", T - 9_000_000)
                    .containsEntry("android", T + 5_000);
            assertThat(user.state.lastSeenDeviceType).isEqualTo("android");
            assertThat(user.state.lastSeenBatchTimeMs).isEqualTo(T + 10_000);
        }
    }

    @Nested
    class FirstSeenTime {

        static Stream<Arguments> times() {
            long day = CreatedAtRule.FUTURE_TOLERANCE_MS;
            long year2000 = CreatedAtRule.EARLIEST_PLAUSIBLE_MS;
            return Stream.of(
                    Arguments.of("the year 2000", year2000, year2000, 0),
                    Arguments.of("a millisecond before 2000", year2000 - 1, T, 1),
                    Arguments.of("zero", 0L, T, 1),
                    // Device clocks run ahead: a day is tolerated, and taken as it is.
                    Arguments.of("a day after the batch", T + day, T + day, 0),
                    Arguments.of("a day and a millisecond after", T + day + 1, T, 1));
        }

        /**
         * An event time that cannot be a first-open time is ignored (the batch time stands in for
         * it) and counted.
         */
        @ParameterizedTest(name = "{0}")
        @MethodSource("times")
        void implausibleTimesAreIgnoredAndCounted(
                String what, long eventMs, long firstSeenMs, int counted) {
            User user = new User(FIRST_SEEN);
            List<Op> ops = user.apply(seen("iOS", T, eventMs));
            assertThat(createdAt(ops)).isEqualTo(firstSeenMs / 1000);
            assertThat(user.devices).containsEntry("ios", firstSeenMs);
            assertThat(user.last.skipped(SkipReason.DEVICE_TIME_IMPLAUSIBLE)).isEqualTo(counted);
        }

        @Test
        void anImplausibleFirstRunIsNoFirstRun() {
            User user = new User(FIRST_RUN_ONLY);
            List<Op> ops =
                    user.apply(
                            customer()
                                    .platform("iOS")
                                    .events(
                                            Events.firstRun(
                                                    CreatedAtRule.EARLIEST_PLAUSIBLE_MS - 1)));
            assertThat(createdAt(ops)).isNull();
            assertThat(user.devices).doesNotContainKey("ios" + CreatedAtRule.FIRST_RUN_SUFFIX);
            assertThat(user.last.skipped(SkipReason.DEVICE_TIME_IMPLAUSIBLE)).isEqualTo(1);
        }

        @Test
        void theEarliestOfEventsAndFirstRunsIsTheFirstSeenTime() {
            User user = new User(FIRST_SEEN);
            List<Op> ops =
                    user.apply(
                            customer()
                                    .platform("iOS")
                                    .events(
                                            Events.custom("e", T - 3_000, "s1"),
                                            Events.firstRunTransition(T - 5_000),
                                            Events.sessionStart(T - 4_000)));
            assertThat(createdAt(ops)).isEqualTo((T - 5_000) / 1000);
            assertThat(user.devices)
                    .containsEntry("ios", T - 5_000)
                    .containsEntry("ios" + CreatedAtRule.FIRST_RUN_SUFFIX, T - 5_000);
        }

        @Test
        void isSentOnlyWhenItChanges() {
            User user = new User(FIRST_SEEN);
            assertThat(createdAt(user.apply(seen("iOS", T, T - 5_000))))
                    .isEqualTo((T - 5_000) / 1000);
            assertThat(user.apply(seen("iOS", T + 10_000, T + 5_000))).isEmpty();
            // An upload that carries an earlier event: the first-seen time moves back.
            assertThat(createdAt(user.apply(seen("iOS", T + 20_000, T - 60_000))))
                    .isEqualTo((T - 60_000) / 1000);
            // Earlier by less than a second: created_at, in seconds, is the same.
            assertThat(user.apply(seen("iOS", T + 30_000, T - 60_500))).isEmpty();
            assertThat(user.devices).containsEntry("ios", T - 60_500);
        }
    }

    @Nested
    class Policy {

        static Stream<Arguments> batches() {
            return Stream.of(
                    Arguments.of("events only", Events.sessionStart(T - 5_000), null),
                    Arguments.of("a first_run event", Events.firstRun(T - 4_000), T - 4_000),
                    Arguments.of(
                            "a first-run state transition",
                            Events.firstRunTransition(T - 3_000),
                            T - 3_000),
                    Arguments.of(
                            "a transition that is not a first run",
                            "{\"event_type\":\"application_state_transition\",\"data\":{"
                                    + "\"application_transition_type\":\"application_initialized\","
                                    + "\"is_first_run\":false,\"timestamp_unixtime_ms\":"
                                    + (T - 3_000)
                                    + "}}",
                            null),
                    Arguments.of(
                            "a first run without time: the batch time", Events.firstRun(null), T));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("batches")
        void firstRunOnlySendsOnlyAFirstRunMParticleMarked(String what, String event, Long run) {
            List<Op> ops =
                    new User(FIRST_RUN_ONLY)
                            .apply(
                                    customer()
                                            .platform("iOS")
                                            .events(Events.sessionStart(T - 9_000), event));
            assertThat(createdAt(ops)).isEqualTo(run == null ? null : run / 1000);

            // first-seen takes the earliest time whatever marks it.
            List<Op> firstSeen =
                    new User(FIRST_SEEN)
                            .apply(
                                    customer()
                                            .platform("iOS")
                                            .events(Events.sessionStart(T - 9_000), event));
            assertThat(createdAt(firstSeen)).isEqualTo((T - 9_000) / 1000);
        }

        @Test
        void firstRunOnlyWaitsForTheFirstRunOfTheDeviceLastSeen() {
            User user = new User(FIRST_RUN_ONLY);
            assertThat(createdAt(user.apply(seen("iOS", T, T - 9_000)))).isNull();
            assertThat(
                            createdAt(
                                    user.apply(
                                            customer()
                                                    .platform("Android")
                                                    .at(T + 10_000)
                                                    .events(Events.firstRun(T + 9_000)))))
                    .isEqualTo((T + 9_000) / 1000);
            // Back on iOS, which never marked a first run: created_at stays as it is.
            assertThat(createdAt(user.apply(seen("iOS", T + 20_000, T + 19_000)))).isNull();
        }
    }

    @Nested
    class StoredTimes {

        @ParameterizedTest(name = "{0} (stored as {1}) → {2}")
        @CsvSource({
            "MobileWeb, mobileweb, web",
            "SmartTV, smarttv, smart_tv",
            "FireTV, firetv, fire_tv",
            "AlexaOS, alexaos, alexa",
            "OutOfBand, outofband, out_of_band",
            "UnityIOS, unityios, ios"
        })
        void aTimeStoredUnderAnOldSpellingIsCarriedOver(String os, String legacy, String type) {
            // State version 2 stored the os spelling lower-cased.
            User user = new User(FIRST_SEEN);
            user.devices.put(legacy, T - 50_000_000);

            List<Op> ops =
                    user.apply(customer().os(os).at(T).events(Events.sessionStart(T - 1_000)));
            assertThat(createdAt(ops)).isEqualTo((T - 50_000_000) / 1000);
            assertThat(user.devices).containsEntry(type, T - 50_000_000);
        }

        @Test
        void anEarlierTimeThanTheOldSpellingsWins() {
            User user = new User(FIRST_SEEN);
            user.devices.put("mobileweb", T - 1_000);
            List<Op> ops =
                    user.apply(
                            customer()
                                    .os("MobileWeb")
                                    .at(T)
                                    .events(Events.sessionStart(T - 5_000)));
            assertThat(createdAt(ops)).isEqualTo((T - 5_000) / 1000);
            assertThat(user.devices).containsEntry("web", T - 5_000);
        }

        @Test
        void anExpiringStoreHasEveryEntryOfASeenDeviceRefreshed() {
            User user = new User(FIRST_SEEN);
            user.devicesExpire = true;
            user.apply(customer().platform("iOS").at(T).events(Events.firstRun(T - 9_000)));
            // New entries are written, not refreshed.
            assertThat(user.refreshed).isEmpty();

            // Seen again without a first run: both entries refreshed.
            user.apply(seen("iOS", T + 10_000, T + 5_000));
            assertThat(user.refreshed).containsExactly("ios", "ios#first_run");

            // Seen again with a later first run (a reinstall): both refreshed, both unchanged.
            user.refreshed.clear();
            user.apply(
                    customer().platform("iOS").at(T + 20_000).events(Events.firstRun(T + 15_000)));
            assertThat(user.refreshed).containsExactlyInAnyOrder("ios", "ios#first_run");
            assertThat(user.devices)
                    .containsEntry("ios", T - 9_000)
                    .containsEntry("ios#first_run", T - 9_000);

            // Another device, and a batch naming none: iOS is not seen, nothing refreshed.
            user.refreshed.clear();
            user.apply(seen("Android", T + 30_000, T + 25_000));
            user.apply(customer().at(T + 40_000).events(Events.sessionStart(T + 35_000)));
            assertThat(user.refreshed).isEmpty();
        }

        @Test
        void aStoreThatDoesNotExpireHasNoFirstRunEntryWrittenAgain() {
            User user = new User(FIRST_SEEN);
            user.apply(customer().platform("iOS").at(T).events(Events.firstRun(T - 9_000)));
            user.apply(seen("iOS", T + 10_000, T + 5_000));
            assertThat(user.refreshed).doesNotContain("ios#first_run");
        }
    }
}
