package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryFeedbackCodec;
import dev.cioforwarder.job.DeviceTokenFunction;
import dev.cioforwarder.job.DeviceVisitorsFunction;
import dev.cioforwarder.job.EmailOwnersFunction;
import dev.cioforwarder.job.JobTestSupport;
import dev.cioforwarder.job.OperatorIds;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.state.DeliveryLane;
import dev.cioforwarder.state.DeviceVisitors;
import dev.cioforwarder.state.EmailOwner;
import dev.cioforwarder.state.PushDevice;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import dev.cioforwarder.testing.MavenClasspath;
import dev.cioforwarder.upgrade.FixtureState.RestoredUser;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restores every committed savepoint fixture ({@code src/test/resources/savepoints/state-v*}, made
 * by {@link SavepointFixtureGenerator} with earlier versions of the state) with the current code:
 * the state reads back as it was written, and a restored job, at parallelism 1, 2 and 4, keeps
 * forwarding from where the old one stopped, with no duplicate identify and no lost event. From
 * state version 5 the fixture holds what waits for Customer.io (Leo's operations in his state,
 * Mia's request in delivery's queue): it reads back, and a restored job delivers it once, in each
 * user's order, before what came after. A state change that breaks restore fails here.
 */
class SavepointMigrationITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    /**
     * The operations Ada's two batches made, which state version 5 numbers: an identify, a screen
     * and an event, then an identify.
     */
    private static final long ADA_OPERATIONS = 4;

    /** The operations Ken's batch made before his erasure's deletion: identify, add device. */
    private static final long KEN_OPERATIONS_BEFORE_ERASURE = 2;

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
        if (version >= 5) {
            expectedUsers.add(Long.toString(SavepointFixtures.LEO));
            expectedUsers.add(Long.toString(SavepointFixtures.MIA));
        }
        if (version >= 6) {
            expectedUsers.add(Long.toString(SavepointFixtures.NINA));
            expectedUsers.add(Long.toString(SavepointFixtures.PIA));
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
        if (version >= 5) {
            // Her operations went straight to delivery and were delivered: nothing waits.
            expectedAda.nextOperationSeq = ADA_OPERATIONS;
        }
        if (version >= 6) {
            // With customerio.guard-shared-emails her email went in an identify of its own, once
            // the email index answered that it is hers.
            expectedAda.nextOperationSeq = ADA_OPERATIONS + 1;
            expectedAda.emailConfirmed = "ada@example.com";
            // Her profile's last identify went before that answer, without the email.
            expectedAda.profileNameHashes = nameHashes("first_name", "last_name", "plan");
        }
        if (version >= 5) {
            // When her last operation went: a time of the fixture job's run.
            assertThat(ada.lastEmittedMs).isPositive();
            expectedAda.lastEmittedMs = ada.lastEmittedMs;
        }
        assertThat(ada.profileFingerprint).as("a profile was sent").isNotZero();
        assertThat(ada)
                .usingRecursiveComparison()
                .ignoringFields("profileFingerprint")
                .isEqualTo(expectedAda);
        for (RestoredUser u : users.values()) {
            if (version < 5 || !u.key.equals(Long.toString(SavepointFixtures.LEO))) {
                assertThat(u.waiting).as("what waits for %s", u.key).isEmpty();
                assertThat(u.state.lane).as("the lane of %s", u.key).isNull();
            }
        }
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
            if (version >= 5) {
                // His order outlives him: operations of the erased person that come back from
                // delivery (all before the deletion) are dropped.
                erased.erasedBeforeSeq = KEN_OPERATIONS_BEFORE_ERASURE;
                erased.nextOperationSeq = KEN_OPERATIONS_BEFORE_ERASURE + 1; // the deletion
                assertThat(ken.state.lastEmittedMs).isPositive();
                erased.lastEmittedMs = ken.state.lastEmittedMs;
            }
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

        if (version >= 5) {
            theWaitReadsBack(fixtureState, users);
        }
        if (version >= 6) {
            theIndexesReadBack(savepoint, users);
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

    /**
     * State version 5: Leo's operations wait in his state, in order, behind a lane backing off;
     * delivery holds a parked-user mark for him and Mia's request in its queue; the operator states
     * of the user-state step, and the feedback source's split, read back.
     */
    private static void theWaitReadsBack(FixtureState fixture, Map<String, RestoredUser> users)
            throws Exception {
        String leoKey = Long.toString(SavepointFixtures.LEO);
        RestoredUser leo = users.get(leoKey);
        assertThat(leo.state.identifier).isEqualTo(SavepointFixtures.LEO_ID);
        assertThat(leo.state.nextOperationSeq).isEqualTo(SavepointFixtures.LEO_WAITING);
        DeliveryLane lane = leo.state.lane;
        assertThat(lane).as("Leo's lane").isNotNull();
        assertThat(lane.phase).isEqualTo(DeliveryLane.BACKOFF);
        assertThat(lane.waiting)
                .as("Leo's lane counts what waits")
                .isEqualTo(SavepointFixtures.LEO_WAITING)
                .isEqualTo(leo.waiting.size());
        assertThat(lane.attempts).as("probes parked again").isPositive();
        assertThat(lane.probeSeq).isEqualTo(-1);
        assertThat(lane.heldSinceMs).isPositive();
        assertThat(lane.phaseSinceMs).isGreaterThanOrEqualTo(lane.heldSinceMs);
        assertThat(lane.nextAttemptMs).isGreaterThan(lane.phaseSinceMs);
        assertThat(lane.resealAtMs).isZero();
        // Taken over once, then a new episode for each probe parked.
        assertThat(leo.state.deliveryEpisode).isEqualTo(1 + lane.attempts);
        assertThat(leo.state.lastEmittedMs).isPositive();
        assertThat(leo.state.erasedBeforeSeq).isZero();
        assertThat(leo.state.refusedIdentifier).isNull();
        assertThat(leo.state.identifierChangeSeq).isEqualTo(-1);

        // waiting-operations: by sequence number, in the order RocksDB iterates them.
        assertThat(leo.waiting.keySet()).containsExactly(0L, 1L, 2L, 3L, 4L);
        List<CustomerioOperation> ops = new ArrayList<>(leo.waiting.values());
        assertThat(ops)
                .extracting(op -> op.kind)
                .containsExactly(
                        OperationKind.IDENTIFY,
                        OperationKind.EVENT,
                        OperationKind.EVENT,
                        OperationKind.IDENTIFY,
                        OperationKind.EVENT);
        assertThat(ops).extracting(op -> op.seq).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(ops).extracting(op -> op.userKey).containsOnly(leoKey);
        assertThat(ops).extracting(op -> op.mpid).containsOnly(leoKey);
        assertThat(ops)
                .extracting(op -> body(op).path("name").asText(null))
                .containsExactly(null, "Leo_Opened", "Leo_Browsed", null, "Leo_Paid");
        assertThat(ops)
                .extracting(op -> body(op).path("attributes").path("plan").asText(null))
                .containsExactly("free", null, null, "pro", null);
        assertThat(ops)
                .extracting(op -> body(op).path("identifiers").path("id").asText(null))
                .containsOnly(SavepointFixtures.LEO_ID);
        assertThat(ops)
                .filteredOn(op -> op.kind == OperationKind.EVENT)
                .extracting(op -> op.eventId)
                .doesNotContainNull()
                .doesNotHaveDuplicates();
        assertThat(ops)
                .allSatisfy(op -> assertThat(op.sourceTopic).isEqualTo(SavepointFixtures.TOPIC));
        // Each was parked once; the first went out again as each probe, and was parked again.
        assertThat(ops.get(0).waits).isEqualTo(1 + lane.attempts);
        assertThat(ops.get(0).episode).isEqualTo(leo.state.deliveryEpisode - 1);
        assertThat(ops.subList(1, ops.size()))
                .allSatisfy(
                        op -> {
                            assertThat(op.waits).isEqualTo(1);
                            assertThat(op.episode).isZero();
                        });
        assertThat(ops)
                .allSatisfy(
                        op -> {
                            assertThat(op.ackRequested).isFalse();
                            assertThat(op.confirmRequired).isFalse();
                        });

        // Delivery's mark on Leo: the episode of his last probe, which it parked.
        assertThat(fixture.parkedUsers())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.userKey).isEqualTo(leoKey);
                            assertThat(p.episode).isEqualTo(leo.state.deliveryEpisode - 1);
                            assertThat(p.sinceMs).isGreaterThanOrEqualTo(lane.heldSinceMs);
                        });

        // Mia: her request was in delivery's queue, nothing of hers waits in her state.
        RestoredUser mia = users.get(Long.toString(SavepointFixtures.MIA));
        assertThat(mia.state.lane).isNull();
        assertThat(mia.state.nextOperationSeq).isEqualTo(2);
        assertThat(fixture.deliveryQueue())
                .singleElement()
                .satisfies(
                        request -> {
                            assertThat(request.checkpointEpoch).isPositive();
                            assertThat(request.operations)
                                    .extracting(op -> op.kind)
                                    .containsExactly(OperationKind.IDENTIFY, OperationKind.EVENT);
                            assertThat(request.operations)
                                    .extracting(op -> op.seq)
                                    .containsExactly(0L, 1L);
                            assertThat(request.operations)
                                    .extracting(op -> op.userKey)
                                    .containsOnly(Long.toString(SavepointFixtures.MIA));
                            assertThat(body(request.operations.get(1)).path("name").asText())
                                    .isEqualTo("Mia_Joined");
                        });

        // The user-state step's operator states: what waits per key group, and the restore point
        // of each of the two subtasks.
        assertThat(fixture.waitingCounts())
                .filteredOn(c -> c.operations != 0 || c.users != 0)
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.keyGroup)
                                    .isEqualTo(
                                            KeyGroupRangeAssignment.assignToKeyGroup(leoKey, 720));
                            assertThat(c.operations).isEqualTo(SavepointFixtures.LEO_WAITING);
                            assertThat(c.users).isEqualTo(1);
                        });
        assertThat(fixture.restorePoints())
                .hasSize(2)
                .allSatisfy(
                        p -> {
                            assertThat(p.parallelism).isEqualTo(2);
                            assertThat(p.checkpointTimestampMs).isGreaterThan(lane.phaseSinceMs);
                        });

        // Where the feedback source resumes: past everything the old job wrote and read.
        assertThat(fixture.kafkaSplits(OperatorIds.FEEDBACK_SOURCE))
                .singleElement()
                .satisfies(
                        split -> {
                            assertThat(split.getTopic())
                                    .isEqualTo(SavepointFixtures.FEEDBACK_TOPIC);
                            assertThat(split.getPartition()).isZero();
                            assertThat(split.getStartingOffset()).isPositive();
                        });
        // And the operators of the feedback loop have state of their own in the fixture.
        assertThat(
                        fixture.uidsWithState(
                                List.of(
                                        OperatorIds.FEEDBACK_SOURCE,
                                        OperatorIds.FEEDBACK_SINK,
                                        OperatorIds.DELIVERY,
                                        OperatorIds.USER_STATE)))
                .containsExactlyInAnyOrder(
                        OperatorIds.FEEDBACK_SOURCE,
                        OperatorIds.FEEDBACK_SINK,
                        OperatorIds.DELIVERY,
                        OperatorIds.USER_STATE);
    }

    /**
     * State version 6: the device index remembers Nina, anonymous on her device, and the email
     * index gives Pia's email to her; Pia's state knows the index answered.
     */
    private static void theIndexesReadBack(
            SavepointReader savepoint, Map<String, RestoredUser> users) throws Exception {
        Map<String, DeviceVisitors> devices = new HashMap<>();
        try (CloseableIterator<Map.Entry<String, DeviceVisitors>> it =
                savepoint
                        .readKeyedState(
                                OperatorIdentifier.forUid(OperatorIds.DEVICE_VISITORS),
                                new DeviceVisitorsReader())
                        .executeAndCollect()) {
            it.forEachRemaining(e -> devices.put(e.getKey(), e.getValue()));
        }
        // The sample batches' devices are in it too (Ada's iPhone, Alan's Android).
        assertThat(devices).containsKey("android_uuid:" + SavepointFixtures.NINAS_DEVICE);
        DeviceVisitors ninasDevice = devices.get("android_uuid:" + SavepointFixtures.NINAS_DEVICE);
        assertThat(ninasDevice.known).isEmpty();
        assertThat(ninasDevice.anonymous)
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.mpid).isEqualTo(Long.toString(SavepointFixtures.NINA));
                            assertThat(a.firstSeenMs).isEqualTo(1764300000000L);
                            assertThat(a.lastSeenMs).isEqualTo(1764300000000L);
                            assertThat(a.stitchedTo).isNull();
                        });

        Map<String, EmailOwner> emails = new HashMap<>();
        try (CloseableIterator<Map.Entry<String, EmailOwner>> it =
                savepoint
                        .readKeyedState(
                                OperatorIdentifier.forUid(OperatorIds.EMAIL_OWNERS),
                                new EmailOwnerReader())
                        .executeAndCollect()) {
            it.forEachRemaining(e -> emails.put(e.getKey(), e.getValue()));
        }
        // Every customer with an email claims it: Ada, Heidi and Pia (Grace is addressed by it).
        assertThat(emails)
                .containsOnlyKeys(
                        "ada@example.com", "heidi@example.com", SavepointFixtures.PIAS_EMAIL);
        assertThat(emails.get(SavepointFixtures.PIAS_EMAIL).ownerId).isEqualTo("cust-16016");
        assertThat(emails.get(SavepointFixtures.PIAS_EMAIL).lastSeenMs).isEqualTo(1764300000000L);

        UserState pia = users.get(Long.toString(SavepointFixtures.PIA)).state;
        assertThat(pia.emailConfirmed).isEqualTo(SavepointFixtures.PIAS_EMAIL);
        assertThat(pia.emailSent).isEqualTo(SavepointFixtures.PIAS_EMAIL);
        assertThat(pia.emailOfAnotherCustomer).isNull();
        UserState nina = users.get(Long.toString(SavepointFixtures.NINA)).state;
        assertThat(nina.identifier).isNull();
        assertThat(nina.pendingAnonymousMerges).isNull();
    }

    /** Reads the device index ({@code device-visitors}, keyed by device identifier). */
    public static class DeviceVisitorsReader
            extends KeyedStateReaderFunction<String, Map.Entry<String, DeviceVisitors>> {
        private transient ValueState<DeviceVisitors> visitors;

        @Override
        public void open(OpenContext context) {
            visitors =
                    getRuntimeContext().getState(DeviceVisitorsFunction.deviceVisitorsDescriptor());
        }

        @Override
        public void readKey(
                String device, Context context, Collector<Map.Entry<String, DeviceVisitors>> out)
                throws Exception {
            out.collect(Map.entry(device, visitors.value()));
        }
    }

    /** Reads the email index ({@code email-owners}, keyed by email). */
    public static class EmailOwnerReader
            extends KeyedStateReaderFunction<String, Map.Entry<String, EmailOwner>> {
        private transient ValueState<EmailOwner> owner;

        @Override
        public void open(OpenContext context) {
            owner = getRuntimeContext().getState(EmailOwnersFunction.emailOwnerDescriptor());
        }

        @Override
        public void readKey(
                String email, Context context, Collector<Map.Entry<String, EmailOwner>> out)
                throws Exception {
            out.collect(Map.entry(email, owner.value()));
        }
    }

    /** Customer.io as the fixture job left Nina: her anonymous event, kept up to 30 days. */
    private static void seedNinasAnonymousEvent() throws Exception {
        String basic =
                Base64.getEncoder()
                        .encodeToString((SITE_ID + ":" + API_KEY).getBytes(StandardCharsets.UTF_8));
        HttpRequest event =
                HttpRequest.newBuilder(URI.create(customerio.baseUrl() + "/api/v1/events"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"name\":\"Nina_Browsed\",\"anonymous_id\":\"14014\","
                                                + "\"timestamp\":1764299000,\"data\":{}}"))
                        .build();
        HttpResponse<String> response =
                HttpClient.newHttpClient().send(event, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static JsonNode body(CustomerioOperation op) {
        try {
            return MAPPER.readTree(op.body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

        Path savepoint = copyOf(fixture);
        if (SavepointFixtures.versionOf(fixture) >= 3) {
            seedHeidiAsTheOldJobLeftHer();
        }
        if (SavepointFixtures.versionOf(fixture) >= 5) {
            fillTheFeedbackTopicAsTheOldJobLeftIt(savepoint);
        }
        if (SavepointFixtures.versionOf(fixture) >= 6) {
            seedNinasAnonymousEvent();
        }
        JobClient job =
                startJob(settings(SavepointFixtures.settings(fixture)), parallelism, savepoint);
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
            // fixture job had; this simulator started empty). Two days later it is refreshed with
            // that sighting's last_used: a token index record of these state versions has no
            // addition time, and counts from its newest sighting (TokenOwnershipTest shows the
            // sighting 14 hours later sends nothing).
            assertThat(people.get("cust-7007").devices())
                    .singleElement()
                    .satisfies(d -> assertThat(d.get("last_used").asLong()).isEqualTo(1764472800L));
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

        if (SavepointFixtures.versionOf(fixture) >= 5) {
            // Leo: what waited in his state at the savepoint went out once Customer.io took it,
            // in order and once each, and his new event after it. His profile is the newest.
            assertThat(customerio.events())
                    .filteredOn(e -> SavepointFixtures.LEO_ID.equals(e.personId()))
                    .extracting(StoredEvent::name)
                    .containsExactlyElementsOf(SavepointFixtures.leoEventsAfter(fixture));
            assertThat(people.get(SavepointFixtures.LEO_ID).attributes().get("plan").asText())
                    .isEqualTo("pro");
            // Mia: her request in delivery's queue was not sent at restore but put back in her
            // order: it went out once, before her new event.
            assertThat(customerio.events())
                    .filteredOn(e -> SavepointFixtures.MIA_ID.equals(e.personId()))
                    .extracting(StoredEvent::name)
                    .containsExactlyElementsOf(SavepointFixtures.miaEventsAfter(fixture));
            assertThat(people.get(SavepointFixtures.MIA_ID).attributes().get("plan").asText())
                    .isEqualTo("team");
            // No event went twice (Customer.io would have ignored the second).
            assertThat(customerio.summary().duplicateEventsIgnored()).isZero();
            // Her queued request was parked at restore, never sent from the queue: it came back
            // to her state through the feedback topic, both operations in order.
            assertThat(feedbackWritten())
                    .filteredOn(f -> Long.toString(SavepointFixtures.MIA).equals(f.userKey))
                    .filteredOn(f -> "restored".equals(f.reason))
                    .extracting(f -> f.kind + " " + f.operation.kind + " " + f.operation.seq)
                    .containsExactly("PARKED IDENTIFY 0", "PARKED EVENT 1");
        }

        if (SavepointFixtures.versionOf(fixture) >= 6) {
            // Otto logged in on Nina's device: the restored device index gave him her MPID, and
            // her anonymous event joined his person.
            assertThat(customerio.events())
                    .filteredOn(e -> e.name().equals("Nina_Browsed"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.personId()).isEqualTo("cust-15015"));
            // Quinn has Pia's email: the restored email index kept it Pia's, so Quinn's person
            // was made without it, and no person took his id.
            assertThat(people.get("cust-17017").email()).isNull();
            assertThat(customerio.people())
                    .filteredOn(p -> SavepointFixtures.PIAS_EMAIL.equals(p.email()))
                    .isEmpty();
        }

        assertThat(
                        kafka.readCommitted(
                                SavepointFixtures.DEAD_LETTER_TOPIC, 0, Duration.ofSeconds(2)))
                .isEmpty();
    }

    /** What the restored job wrote to the feedback topic (after the stand-ins below). */
    private static List<DeliveryFeedback> feedbackWritten() {
        List<DeliveryFeedback> written = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                kafka.readCommitted(SavepointFixtures.FEEDBACK_TOPIC, 0, Duration.ofSeconds(2))) {
            if (!READ_BEFORE_THE_SAVEPOINT.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                written.add(DeliveryFeedbackCodec.decode(r.value()));
            }
        }
        return written;
    }

    private static final String READ_BEFORE_THE_SAVEPOINT = "read-before-the-savepoint";

    /**
     * The feedback topic as the old job left it: the records before the offset its source resumes
     * from were read before the savepoint. They are stand-ins here, which the job would dead-letter
     * as unreadable should it read them (the dead-letter topic must stay empty).
     */
    private static void fillTheFeedbackTopicAsTheOldJobLeftIt(Path savepoint) throws Exception {
        long resumeAt =
                FixtureState.read(savepoint)
                        .kafkaSplits(OperatorIds.FEEDBACK_SOURCE)
                        .get(0)
                        .getStartingOffset();
        List<Map.Entry<String, byte[]>> readBefore = new ArrayList<>();
        for (long i = 0; i < resumeAt; i++) {
            readBefore.add(
                    Map.entry(
                            READ_BEFORE_THE_SAVEPOINT,
                            ("stand-in " + i).getBytes(StandardCharsets.UTF_8)));
        }
        kafka.produce(SavepointFixtures.FEEDBACK_TOPIC, readBefore);
    }
}
