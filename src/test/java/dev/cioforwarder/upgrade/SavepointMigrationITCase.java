package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.job.DeviceTokenFunction;
import dev.cioforwarder.job.JobTestSupport;
import dev.cioforwarder.job.OperatorIds;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.state.PushDevice;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.MavenClasspath;
import dev.cioforwarder.upgrade.FixtureState.RestoredUser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores every committed savepoint fixture ({@code src/test/resources/savepoints/state-v*}, made
 * by {@link SavepointFixtureGenerator} with earlier versions of the state) with the current code:
 * the state reads back as it was written, and a restored job, at parallelism 1, 2 and 4, keeps
 * forwarding from where the old one stopped, with no duplicate identify and no lost event. A state
 * change that breaks restore fails here.
 */
class SavepointMigrationITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    static List<String> fixtures() throws IOException {
        Path root = MavenClasspath.projectDir().resolve("src/test/resources/savepoints");
        try (Stream<Path> dirs = Files.list(root)) {
            List<String> versions =
                    dirs.filter(d -> Files.exists(d.resolve("_metadata")))
                            .map(d -> d.getFileName().toString())
                            .sorted()
                            .collect(Collectors.toList());
            assertThat(versions).as("committed savepoint fixtures").isNotEmpty();
            return versions;
        }
    }

    static Stream<Arguments> fixturesAtEachParallelism() throws IOException {
        List<Arguments> args = new ArrayList<>();
        for (String fixture : fixtures()) {
            for (int parallelism : new int[] {1, 2, 4}) {
                args.add(Arguments.of(fixture, parallelism));
            }
        }
        return args.stream();
    }

    /** A copy of the fixture, so no test run can alter the committed files. */
    private Path copyOf(String fixture) throws IOException {
        return SavepointFixtures.copyOf(fixture, dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void theFixturesStateReadsBackAsWritten(String fixture) throws Exception {
        FixtureState fixtureState = FixtureState.read(copyOf(fixture));
        SavepointReader savepoint = fixtureState.reader();
        Map<String, RestoredUser> users = fixtureState.users();
        int version = SavepointFixtures.versionOf(fixture);
        List<String> expectedUsers =
                new ArrayList<>(
                        List.of(
                                Long.toString(SavepointFixtures.ADA),
                                Long.toString(SavepointFixtures.GRACE),
                                Long.toString(SavepointFixtures.ALAN),
                                Long.toString(SavepointFixtures.NOBODY),
                                Long.toString(SavepointFixtures.MARGARET)));
        if (version >= 3) {
            expectedUsers.add(Long.toString(SavepointFixtures.HEIDI));
        }
        if (version >= 4) {
            expectedUsers.add(Long.toString(SavepointFixtures.IVAN));
            expectedUsers.add(Long.toString(SavepointFixtures.JUDY));
            expectedUsers.add(Long.toString(SavepointFixtures.KEN));
        }
        assertThat(users.keySet()).containsExactlyInAnyOrderElementsOf(expectedUsers);

        // Every field compared, so that a field renamed or removed (which Flink's POJO
        // serializer restores as a new field with its default, silently) fails here. The values
        // come from Ada's two batches in SavepointFixtures.before().
        UserState ada = users.get(Long.toString(SavepointFixtures.ADA)).state;
        UserState expectedAda = new UserState();
        expectedAda.identifierKind = "id";
        expectedAda.identifier = "cust-1001";
        expectedAda.customerId = "cust-1001";
        expectedAda.email = "ada@example.com";
        expectedAda.optedOut = false;
        expectedAda.createdAtSentSeconds = 1764320001L; // first seen on iOS
        expectedAda.lastSeenDeviceType = "ios";
        expectedAda.lastSeenBatchTimeMs = 1764324000000L; // eventless-attribute-update.json
        // state-v1 was written before lastIdentifySeconds existed: it restores with its default.
        expectedAda.lastIdentifySeconds = version == 1 ? UserState.NONE : 1764324000L;
        if (version >= 3) {
            // Older fixtures restore these with their defaults.
            expectedAda.newestBatchTimeMs = 1764324000000L;
            expectedAda.customerIdTimeMs = 1764320400500L; // the first batch that had it
            expectedAda.emailTimeMs = 1764320400500L;
            expectedAda.emailSent = "ada@example.com";
            expectedAda.firstIdentifiedMs = 1764320400500L;
            expectedAda.profileNameHashes = nameHashes("email", "first_name", "last_name", "plan");
        }
        assertThat(ada.profileFingerprint).as("a profile was sent").isNotZero();
        assertThat(ada)
                .usingRecursiveComparison()
                .ignoringFields("profileFingerprint")
                .isEqualTo(expectedAda);
        if (version >= 3) {
            // Heidi holds a value in every field state version 3 added.
            UserState heidi = users.get(Long.toString(SavepointFixtures.HEIDI)).state;
            assertThat(heidi.identifier).isEqualTo("cust-6006");
            assertThat(heidi.optedOut).isTrue();
            assertThat(heidi.optOutChanges).containsExactly(1764199000000L << 1 | 1);
            assertThat(heidi.optedOutBeforeChanges).isFalse();
            assertThat(heidi.unsubscribedSent).isTrue();
            assertThat(heidi.pendingDeletions).containsExactly("legacy");
            assertThat(heidi.emailSent).isEqualTo("heidi@example.com");
            assertThat(heidi.firstIdentifiedMs).isEqualTo(1764300000000L);
            assertThat(heidi.newestBatchTimeMs).isEqualTo(1764300000000L);
            assertThat(heidi.profileNameHashes)
                    .containsExactly(nameHashes("email", "plan", "team"));
        }

        if (version >= 4) {
            // Every field state version 4 added holds a value in one of these three.
            UserState ivan = users.get(Long.toString(SavepointFixtures.IVAN)).state;
            assertThat(ivan.identifier).isEqualTo("cust-7007");
            assertThat(ivan.pushDevices)
                    .singleElement()
                    .usingRecursiveComparison()
                    .isEqualTo(pushDevice("apns-ivan", "ios", 1764300000L, true));
            UserState judy = users.get(Long.toString(SavepointFixtures.JUDY)).state;
            assertThat(judy.identifier).isNull();
            assertThat(judy.pushDevices)
                    .singleElement()
                    .usingRecursiveComparison()
                    .isEqualTo(pushDevice("fcm-judy", "android", 1764300000L, false));
            // Ken was erased: nothing personal is left, only the time that holds back his
            // older batches.
            RestoredUser ken = users.get(Long.toString(SavepointFixtures.KEN));
            UserState erased = new UserState();
            erased.erasedBeforeMs = SavepointFixtures.KEN_ERASED_AT_MS;
            assertThat(ken.state).usingRecursiveComparison().isEqualTo(erased);
            assertThat(ken.devices).isEmpty();

            Map<String, TokenOwner> owners = new HashMap<>();
            try (CloseableIterator<TokenOwner> it =
                    savepoint
                            .readKeyedState(
                                    OperatorIdentifier.forUid(OperatorIds.DEVICE_TOKENS),
                                    new TokenOwnerReader())
                            .executeAndCollect()) {
                it.forEachRemaining(o -> owners.put(o.platform + ":" + o.userKey, o));
            }
            assertThat(owners)
                    .containsOnlyKeys(
                            "ios:" + SavepointFixtures.IVAN,
                            "android:" + SavepointFixtures.JUDY,
                            "ios:" + SavepointFixtures.KEN);
            TokenOwner ivansToken = owners.get("ios:" + SavepointFixtures.IVAN);
            assertThat(ivansToken.mpid).isEqualTo(Long.toString(SavepointFixtures.IVAN));
            assertThat(ivansToken.registered).isTrue();
            assertThat(ivansToken.timeMs).isEqualTo(1764300000000L);
        }

        UserState grace = users.get(Long.toString(SavepointFixtures.GRACE)).state;
        assertThat(grace.identifierKind).isEqualTo("email");
        assertThat(grace.identifier).isEqualTo("grace@example.org");

        assertThat(users.get(Long.toString(SavepointFixtures.ALAN)).state.optedOut).isTrue();

        RestoredUser nobody = users.get(Long.toString(SavepointFixtures.NOBODY));
        assertThat(nobody.state.identifier).isNull();
        assertThat(nobody.devices).containsExactly(Map.entry("ios", 1764322999000L));

        RestoredUser margaret = users.get(Long.toString(SavepointFixtures.MARGARET));
        assertThat(margaret.devices)
                .containsEntry("ios", 1763990000000L)
                .containsEntry("android", 1764090000000L);
        assertThat(margaret.state.lastSeenDeviceType).isEqualTo("android");
        assertThat(margaret.state.lastSeenBatchTimeMs).isEqualTo(1764100000000L);
        assertThat(margaret.state.customerId).isEqualTo("cust-5005");
        assertThat(margaret.state.createdAtSentSeconds).isEqualTo(1764090000L);
    }

    private static PushDevice pushDevice(
            String token, String platform, long lastUsedSeconds, boolean sent) {
        PushDevice d = new PushDevice();
        d.token = token;
        d.platform = platform;
        d.lastUsedSeconds = lastUsedSeconds;
        d.sent = sent;
        return d;
    }

    /** Reads the token index ({@code device-tokens}, keyed by token). */
    public static class TokenOwnerReader extends KeyedStateReaderFunction<String, TokenOwner> {
        private transient ValueState<TokenOwner> owner;

        @Override
        public void open(OpenContext context) {
            owner = getRuntimeContext().getState(DeviceTokenFunction.tokenOwnerDescriptor());
        }

        @Override
        public void readKey(String token, Context context, Collector<TokenOwner> out)
                throws Exception {
            out.collect(owner.value());
        }
    }

    /** Customer.io as the fixture job left Heidi: known by id, with an attribute since removed. */
    private static void seedHeidiAsTheOldJobLeftHer() throws Exception {
        String basic =
                Base64.getEncoder()
                        .encodeToString((SITE_ID + ":" + API_KEY).getBytes(StandardCharsets.UTF_8));
        HttpRequest identify =
                HttpRequest.newBuilder(
                                URI.create(customerio.baseUrl() + "/api/v1/customers/cust-6006"))
                        .header("Authorization", "Basic " + basic)
                        .PUT(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"email\":\"heidi@example.com\",\"legacy\":\"x\","
                                                + "\"_timestamp\":1764100000}"))
                        .build();
        HttpResponse<String> response =
                HttpClient.newHttpClient().send(identify, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static int[] nameHashes(String... names) {
        int[] hashes = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            hashes[i] = names[i].hashCode();
        }
        Arrays.sort(hashes);
        return hashes;
    }

    @ParameterizedTest(name = "{0} at parallelism {1}")
    @MethodSource("fixturesAtEachParallelism")
    void aRestoredJobContinuesWhereTheOldOneStopped(String fixture, int parallelism)
            throws Exception {
        // The same input topic the old job read, holding what it had read (the restored offsets
        // point past it) and then the new batches.
        kafka.recreateTopic(SavepointFixtures.TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.DEAD_LETTER_TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.FEEDBACK_TOPIC, 1);
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.before(fixture));
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.after(fixture));
        if (SavepointFixtures.versionOf(fixture) >= 4) {
            kafka.recreateTopic(SavepointFixtures.ERASURE_TOPIC, 1);
            kafka.recreateTopic(SavepointFixtures.ERASURE_OUTCOME_TOPIC, 1);
            kafka.produce(
                    SavepointFixtures.ERASURE_TOPIC, SavepointFixtures.erasureRequests(fixture));
        }

        if (SavepointFixtures.versionOf(fixture) >= 3) {
            seedHeidiAsTheOldJobLeftHer();
        }
        JobClient job =
                startJob(
                        settings(SavepointFixtures.settings(fixture)),
                        parallelism,
                        copyOf(fixture));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () ->
                            customerio.summary().events()
                                    >= SavepointFixtures.eventsAfter(fixture).size(),
                    () -> customerio.summary() + " " + customerio.events());
            // Anything else (a replay of the old input, Alan's held event) would arrive meanwhile.
            Thread.sleep(3_000);
        } finally {
            Jobs.cancelAndWait(job);
        }

        // Exactly the new events: nothing of the old input again, nothing lost, Alan's held one
        // not.
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactlyInAnyOrderElementsOf(SavepointFixtures.eventsAfter(fixture));
        Map<String, Person> people = new HashMap<>();
        customerio.people().forEach(p -> people.put(p.id() != null ? p.id() : p.email(), p));

        // Ada: profile unchanged since the savepoint. Her last batch before it removed an
        // attribute, which the fingerprints of state versions 1 and 2 counted as part of the
        // profile and version 3 does not (removals no longer make the next batch a change), so
        // her unchanged profile goes out once more: the same attributes, no created_at.
        assertThat(people.get("cust-1001").attributes().keySet())
                .containsExactlyInAnyOrder("first_name", "last_name", "plan");
        assertThat(people.get("cust-1001").createdAt()).isNull();

        // Grace: known by email before, attached to her new Customer ID: one person with both.
        Person grace = people.get("cust-3003");
        assertThat(grace.email()).isEqualTo("grace@example.org");
        assertThat(customerio.people())
                .filteredOn(p -> "grace@example.org".equals(p.email()))
                .hasSize(1);
        assertThat(customerio.events())
                .filteredOn(e -> e.name().equals("Upgraded"))
                .singleElement()
                .satisfies(e -> assertThat(e.personId()).isEqualTo("cust-3003"));

        // Alan: opted out at the savepoint, so "Viewed Pricing" was held; his opt-in did not
        // resubscribe him (resubscribe-on-opt-in is off) but resumed forwarding.
        assertThat(people.get("cust-2002").unsubscribed()).isFalse();
        assertThat(customerio.events()).filteredOn(e -> e.name().equals("Came_Back")).hasSize(1);

        // Nobody: first seen on iOS while anonymous; created_at is that time.
        assertThat(people.get("cust-4004").createdAt()).isEqualTo(1764322999L);

        // Margaret: last seen on Android at the savepoint; back on iOS, created_at is iOS's.
        assertThat(people.get("cust-5005").createdAt()).isEqualTo(1763990000L);

        if (SavepointFixtures.versionOf(fixture) >= 3) {
            // Heidi: opted in again, her profile goes out with the removal held since she opted
            // out. The restored state knows Customer.io was told she unsubscribed (this
            // simulator started empty), and an opt-in does not resubscribe: nothing about it.
            Person heidi = people.get("cust-6006");
            assertThat(heidi.email()).isEqualTo("heidi@example.com");
            // "legacy" was there before (seeded) and is gone: the held removal went out.
            assertThat(heidi.attributes().keySet()).containsExactlyInAnyOrder("plan", "team");
            assertThat(heidi.unsubscribed()).isFalse();
        }

        if (SavepointFixtures.versionOf(fixture) >= 4) {
            // Ivan's restored device was sent before the savepoint (to the Customer.io the
            // fixture job had; this simulator started empty): not again.
            assertThat(people.get("cust-7007").devices()).isEmpty();
            // Judy's held device went out with her first identify.
            assertThat(people.get("cust-8008").devices())
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.get("token").asText()).isEqualTo("fcm-judy");
                                assertThat(d.get("platform").asText()).isEqualTo("android");
                            });
            // Ken: the late batch from before his erasure stayed held back ("Ken Late" is not in
            // the events above) and the person made since has nothing of it.
            assertThat(people.get("cust-9009").attributes()).doesNotContainKey("plan");
            // The request read before the savepoint is not read again.
            assertThat(
                            kafka.readCommitted(
                                    SavepointFixtures.ERASURE_OUTCOME_TOPIC,
                                    0,
                                    Duration.ofSeconds(2)))
                    .isEmpty();
        }

        assertThat(
                        kafka.readCommitted(
                                SavepointFixtures.DEAD_LETTER_TOPIC, 0, Duration.ofSeconds(2)))
                .isEmpty();
    }
}
