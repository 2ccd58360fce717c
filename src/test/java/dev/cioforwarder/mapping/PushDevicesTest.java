package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.PushDevice;
import dev.cioforwarder.state.TokenOwner;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.HostileCorpus;
import dev.cioforwarder.testing.OperationChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Push devices end to end without Flink: batches through the user state machine, their sightings
 * through the token index ({@link TokenOwnership}), its changes back through the state machine of
 * each user concerned ({@link PushDevices}), as the job's three stages do. Every operation is
 * checked against Customer.io's official description.
 */
class PushDevicesTest {

    /** Several users and the token index, in memory. */
    static final class World {
        final MappingSettings settings;
        final UserStateMachine machine;
        final PushTokenSightings sightings = new PushTokenSightings();
        final Map<String, UserState> users = new HashMap<>();
        final Map<String, Map<String, Long>> firstSeen = new HashMap<>();
        final Map<String, TokenOwner> tokens = new HashMap<>();
        int devicesAdded;
        int devicesDeleted;
        int devicesRefreshed;

        World(MappingSettings settings) {
            this.settings = settings;
            this.machine = new UserStateMachine(settings);
        }

        World() {
            this(MappingSettings.builder().forwardDevices(true).build());
        }

        static MParticleBatch parse(String json) {
            ParseResult parsed = new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), 0L);
            assertThat(parsed.isRejected()).as("%s", parsed).isFalse();
            return parsed.batch();
        }

        /** The batch, then the device changes its sightings cause (the usual arrival order). */
        List<Op> apply(Batch batch) {
            return apply(batch.json());
        }

        List<Op> apply(String json) {
            MParticleBatch parsed = parse(json);
            List<Op> ops = batchOnly(parsed);
            ops.addAll(changesOf(parsed));
            return ops;
        }

        /** The device changes first: the token stage's path was faster than the batch's. */
        List<Op> changesFirst(Batch batch) {
            MParticleBatch parsed = parse(batch.json());
            List<Op> ops = changesOf(parsed);
            ops.addAll(batchOnly(parsed));
            return ops;
        }

        List<Op> batchOnly(MParticleBatch batch) {
            Map<String, Long> devices =
                    firstSeen.computeIfAbsent(batch.userKey, k -> new HashMap<>());
            Transition t =
                    machine.apply(
                            users.get(batch.userKey),
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
                            batch);
            return take(batch.userKey, t);
        }

        List<Op> changesOf(MParticleBatch batch) {
            List<DeviceChange> changes = new ArrayList<>();
            if (settings.forwardDevices()) {
                for (TokenSighting s : sightings.read(batch).sightings()) {
                    TokenOwner current = tokens.get(s.token);
                    TokenOwner next =
                            TokenOwnership.apply(
                                    current, s, settings.deviceRefreshIntervalMs(), changes);
                    tokens.put(s.token, next);
                }
            }
            List<Op> ops = new ArrayList<>();
            for (DeviceChange change : changes) {
                ops.addAll(
                        take(
                                change.userKey,
                                machine.applyDeviceChange(users.get(change.userKey), change)));
            }
            return ops;
        }

        private List<Op> take(String userKey, Transition t) {
            if (t.state() != null) {
                users.put(userKey, t.state());
            }
            devicesAdded += t.devicesAdded();
            devicesRefreshed += t.devicesRefreshed();
            devicesDeleted += t.devicesDeleted();
            List<Op> ops = new ArrayList<>();
            for (CustomerioOperation op : t.operations()) {
                assertThat(op.userKey).isEqualTo(userKey);
                assertThat(OperationChecks.violations(op, settings.apiMode(), true))
                        .as(new String(op.body, StandardCharsets.UTF_8))
                        .isEmpty();
                ops.add(new Op(op, settings.apiMode()));
            }
            return ops;
        }
    }

    /** "label person" of each operation, e.g. "identify id:c-1", "add_device:apns-1 id:c-1". */
    private static List<String> labels(List<Op> ops) {
        return ops.stream().map(o -> o.label() + " " + o.person()).collect(Collectors.toList());
    }

    private static Batch ada() {
        return batch().mpid("1").customerId("ada");
    }

    @Test
    void anIdentifiedUsersTokenIsAddedWithItsPlatformAndLastUsedAfterTheIdentify() {
        World world = new World();
        List<Op> ops = world.apply(ada().at(1_764_320_400_500L).device("iOS", "apns-1"));
        assertThat(labels(ops)).containsExactly("identify id:ada", "add_device:apns-1 id:ada");
        assertThat(ops.get(1).body.get("device").toString())
                .isEqualTo("{\"token\":\"apns-1\",\"platform\":\"ios\",\"last_used\":1764320400}");
        assertThat(world.devicesAdded).isEqualTo(1);

        // Deltas only: the same token on the same platform is not sent again.
        assertThat(labels(world.apply(ada().at(1_764_400_000_000L).device("iOS", "apns-1"))))
                .isEmpty();
        assertThat(world.devicesAdded).isEqualTo(1);
    }

    /**
     * customerio.device-refresh-interval (default one day): the device seen again a day after it
     * was sent goes again with the newer last_used, which Customer.io's "last used device" sending
     * and device segments read.
     */
    @Test
    void aDeviceSeenAgainADayLaterIsSentAgainWithItsNewLastUsed() {
        World world = new World();
        long t = 1_764_320_400_000L;
        world.apply(ada().at(t).device("iOS", "apns-1"));
        assertThat(labels(world.apply(ada().at(t + 86_399_000L).device("iOS", "apns-1"))))
                .isEmpty();
        List<Op> ops = world.apply(ada().at(t + 86_400_000L).device("iOS", "apns-1"));
        assertThat(labels(ops)).containsExactly("add_device:apns-1 id:ada");
        assertThat(ops.get(0).body.get("device").toString())
                .isEqualTo("{\"token\":\"apns-1\",\"platform\":\"ios\",\"last_used\":1764406800}");
        assertThat(world.devicesAdded).isEqualTo(2);
        assertThat(world.devicesRefreshed).isEqualTo(1);
        assertThat(world.users.get("1").pushDevices)
                .singleElement()
                .satisfies(d -> assertThat(d.lastUsedSeconds).isEqualTo(1_764_406_800L));
    }

    /**
     * Customer.io's device attributes from device_info and application_info, in both API modes
     * (every operation is checked against the description's device object by the World); an app
     * update sends the device again with its new app_version, whatever the refresh interval.
     */
    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void aDeviceGoesWithItsAttributesAndAgainWhenTheyChange(ApiMode mode) {
        World world =
                new World(MappingSettings.builder().forwardDevices(true).apiMode(mode).build());
        long t = 1_764_320_400_000L;
        List<Op> ops =
                world.apply(
                        ada().at(t)
                                .device(
                                        "Android",
                                        "fcm-1",
                                        "34",
                                        "Pixel 8 Pro",
                                        "en",
                                        "GB",
                                        "4.2.0"));
        Op add = ops.get(ops.size() - 1);
        assertThat(add.label()).isEqualTo("add_device:fcm-1");
        assertThat(add.body.get("device").get("attributes").toString())
                .isEqualTo(
                        "{\"device_os\":\"34\",\"device_model\":\"Pixel 8 Pro\","
                                + "\"app_version\":\"4.2.0\",\"device_locale\":\"en-GB\"}");

        assertThat(
                        world.apply(
                                ada().at(t + 60_000)
                                        .device(
                                                "Android",
                                                "fcm-1",
                                                "34",
                                                "Pixel 8 Pro",
                                                "en",
                                                "GB",
                                                "4.2.0")))
                .isEmpty();
        List<Op> update =
                world.apply(
                        ada().at(t + 120_000)
                                .device(
                                        "Android",
                                        "fcm-1",
                                        "34",
                                        "Pixel 8 Pro",
                                        "en",
                                        "GB",
                                        "4.3.0"));
        assertThat(update)
                .singleElement()
                .satisfies(o -> assertThat(o.label()).isEqualTo("add_device:fcm-1"));
        assertThat(update.get(0).body.get("device").get("attributes").get("app_version").asText())
                .isEqualTo("4.3.0");
        assertThat(update.get(0).body.get("device").get("last_used").asLong())
                .isEqualTo((t + 120_000) / 1000);
        assertThat(world.devicesRefreshed).isEqualTo(1);
    }

    @Test
    void withTheRefreshOffADeviceIsSentOnce() {
        World world =
                new World(
                        MappingSettings.builder()
                                .forwardDevices(true)
                                .deviceRefreshInterval(java.time.Duration.ZERO)
                                .build());
        long t = 1_764_320_400_000L;
        world.apply(ada().at(t).device("iOS", "apns-1"));
        assertThat(labels(world.apply(ada().at(t + 30 * 86_400_000L).device("iOS", "apns-1"))))
                .isEmpty();
        assertThat(world.devicesAdded).isEqualTo(1);
    }

    /** An opted-out user's refresh waits like any new device, and goes after the opt-in. */
    @Test
    void anOptedOutUsersRefreshWaitsForTheOptIn() {
        World world = new World();
        long t = 1_764_320_400_000L;
        world.apply(ada().at(t).device("iOS", "apns-1"));
        world.apply(ada().at(t + 1_000).events(Events.optOut(true, t + 1_000)));
        assertThat(labels(world.apply(ada().at(t + 86_400_000L).device("iOS", "apns-1"))))
                .doesNotContain("add_device:apns-1 id:ada");
        List<Op> ops =
                world.apply(
                        ada().at(t + 86_500_000L).events(Events.optOut(false, t + 86_500_000L)));
        assertThat(labels(ops)).contains("add_device:apns-1 id:ada");
    }

    @Test
    void aTokenSeenBeforeTheUserHasAnIdentityIsHeldAndSentWithTheFirstIdentify() {
        World world = new World();
        assertThat(world.apply(batch().mpid("2").device("Android", "fcm-2"))).isEmpty();
        UserState held = world.users.get("2");
        assertThat(held.pushDevices).singleElement().satisfies(d -> assertThat(d.sent).isFalse());

        List<Op> ops = world.apply(batch().mpid("2").email("bo@x.io").platform("Android"));
        assertThat(labels(ops))
                .containsExactly("identify email:bo@x.io", "add_device:fcm-2 email:bo@x.io");
        assertThat(ops.get(1).body.get("device").get("platform").asText()).isEqualTo("android");
        assertThat(world.users.get("2").pushDevices.get(0).sent).isTrue();
    }

    @Test
    void whicheverArrivesFirstTheAddNeverOvertakesTheIdentifyThatCreatesThePerson() {
        // The token index's change reaches the user's state before the batch that identifies
        // them (it travelled another path): it is held, and follows that batch's identify.
        World world = new World();
        List<Op> ops =
                world.changesFirst(batch().mpid("3").customerId("cy").device("iOS", "apns-3"));
        assertThat(labels(ops)).containsExactly("identify id:cy", "add_device:apns-3 id:cy");
    }

    @Test
    void aTokenThatMovesToAnotherUserIsDeletedFromTheFirstAddressedAsCustomerioKnowsThem() {
        World world = new World();
        world.apply(batch().mpid("1").email("ann@x.io").device("iOS", "shared"));
        List<Op> ops = world.apply(batch().mpid("9").customerId("bob").device("iOS", "shared"));
        assertThat(labels(ops))
                .containsExactly(
                        "identify id:bob",
                        "delete_device:shared email:ann@x.io",
                        "add_device:shared id:bob");
        assertThat(ops.get(1).raw.userKey).as("ordered with Ann's operations").isEqualTo("1");
        assertThat(world.users.get("1").pushDevices).isNull();
        assertThat(world.devicesDeleted).isEqualTo(1);

        // Back to Ann (she logs in again on the device).
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("1")
                                                .at(MappingTestSupport.T + 1)
                                                .device("iOS", "shared"))))
                .containsExactly("delete_device:shared id:bob", "add_device:shared email:ann@x.io");
    }

    /**
     * Two MPIDs Customer.io knows as one person (both addressed by ann@x.io): the token moving
     * between them must not end with the person losing it. The deletion from the first and the
     * addition to the second are different users' operations, applied in any order; the deletion is
     * not sent.
     */
    @Test
    void aTokenMovingBetweenTwoMpidsOfOnePersonStaysWithThePerson() {
        World world = new World();
        world.apply(batch().mpid("1").email("ann@x.io").device("iOS", "shared"));
        List<Op> ops = world.apply(batch().mpid("2").email("ann@x.io").device("iOS", "shared"));
        assertThat(labels(ops))
                .containsExactly("identify email:ann@x.io", "add_device:shared email:ann@x.io");
        assertThat(world.devicesDeleted).isZero();
        assertThat(world.users.get("1").pushDevices).as("no longer the first MPID's").isNull();

        // And back: still no deletion, the person gets it again.
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("1")
                                                .email("ann@x.io")
                                                .at(MappingTestSupport.T + 1)
                                                .device("iOS", "shared"))))
                .containsExactly("add_device:shared email:ann@x.io");
        assertThat(world.devicesDeleted).isZero();

        // The same email in another case is the same person (Customer.io compares emails
        // without case); another email is another person.
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("3")
                                                .email("Ann@x.io")
                                                .at(MappingTestSupport.T + 2)
                                                .device("iOS", "shared"))))
                .containsExactly("identify email:Ann@x.io", "add_device:shared email:Ann@x.io");
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("4")
                                                .email("bo@x.io")
                                                .at(MappingTestSupport.T + 3)
                                                .device("iOS", "shared"))))
                .containsExactly(
                        "identify email:bo@x.io",
                        "delete_device:shared email:Ann@x.io",
                        "add_device:shared email:bo@x.io");
    }

    /**
     * Found by ArrivalOrderPropertyTest (seed 20261201, case 1822): a device registered while the
     * user was anonymous and not yet opted out goes out when they are identified, also if they
     * opted out in between, as it does when its batch arrives after the identification.
     */
    @Test
    void aDeviceRegisteredBeforeAnOptOutGoesOutWhenTheUserIsIdentifiedAfterIt() {
        World world = new World();
        long t = MappingTestSupport.T;
        assertThat(world.apply(batch().mpid("7").at(t).device("iOS", "apns-7"))).isEmpty();
        world.apply(batch().mpid("7").at(t + 1_000).events(Events.optOut(true, t + 500)));
        assertThat(labels(world.apply(batch().mpid("7").at(t + 2_000).email("kim@x.io"))))
                .containsExactly("identify email:kim@x.io", "add_device:apns-7 email:kim@x.io");
    }

    /**
     * Found by ArrivalOrderPropertyTest (seed 20261201, case 1452): the owner's newer sighting,
     * after an opt-out, arrived first and held the device; the owner's older registration, from
     * before the opt-out, arrives late and sends it, as it did in time order.
     */
    @Test
    void anOwnersLateRegistrationFromBeforeAnOptOutSendsTheDeviceANewerSightingHeld() {
        World world = new World();
        long t = MappingTestSupport.T;
        List<Op> first =
                world.apply(
                        ada().at(t + 10_000)
                                .device("iOS", "apns-1")
                                .events(Events.optOut(true, t + 5_000)));
        assertThat(labels(first)).doesNotContain("add_device:apns-1 id:ada");
        List<Op> late = world.apply(ada().at(t).device("iOS", "apns-1"));
        assertThat(labels(late)).containsExactly("add_device:apns-1 id:ada");
        // The newest time the device was seen, not the late batch's.
        assertThat(late.get(0).body.get("device").get("last_used").asLong())
                .isEqualTo((t + 10_000) / 1000);
    }

    @Test
    void unregisteringAndUninstallingDeleteTheDevice() {
        World world = new World();
        world.apply(
                ada().device("Android", "fcm-1").events(Events.pushRegistration(true, "fcm-2")));
        assertThat(world.users.get("1").pushDevices)
                .extracting(d -> d.token)
                .containsExactly("fcm-1", "fcm-2");

        assertThat(
                        labels(
                                world.apply(
                                        ada().at(MappingTestSupport.T + 1)
                                                .events(Events.pushRegistration(false, "fcm-2")))))
                .containsExactly("delete_device:fcm-2 id:ada");
        assertThat(
                        labels(
                                world.apply(
                                        ada().at(MappingTestSupport.T + 2)
                                                .device("Android", "fcm-1")
                                                .events(Events.uninstall()))))
                .containsExactly("delete_device:fcm-1 id:ada");
        assertThat(world.users.get("1").pushDevices).isNull();
        // A late registration from before the uninstall does not bring it back.
        assertThat(labels(world.apply(ada().at(MappingTestSupport.T).device("Android", "fcm-1"))))
                .isEmpty();
    }

    @Test
    void anOptedOutUsersNewDeviceWaitsForTheOptInButADeletionGoesOut() {
        World world = new World();
        world.apply(ada().device("iOS", "apns-1"));
        world.apply(
                ada().at(MappingTestSupport.T + 1_000)
                        .events(Events.optOut(true, MappingTestSupport.T + 500)));

        assertThat(
                        labels(
                                world.apply(
                                        ada().at(MappingTestSupport.T + 2_000)
                                                .device("iOS", "apns-2"))))
                .as("held while opted out")
                .isEmpty();
        assertThat(
                        labels(
                                world.apply(
                                        ada().at(MappingTestSupport.T + 3_000)
                                                .events(Events.pushRegistration(false, "apns-1")))))
                .containsExactly("delete_device:apns-1 id:ada");

        List<Op> optIn =
                world.apply(
                        ada().at(MappingTestSupport.T + 4_000)
                                .events(Events.optOut(false, MappingTestSupport.T + 3_500)));
        assertThat(labels(optIn)).last().isEqualTo("add_device:apns-2 id:ada");
        assertThat(optIn.get(optIn.size() - 1).body.get("device").get("last_used").asLong())
                .as("when it was seen, not when it was sent")
                .isEqualTo((MappingTestSupport.T + 2_000) / 1000);
    }

    /**
     * A device registered before an opt-out (by time) goes out whichever arrives first: the token
     * stage's path may be slower than the batch path, and a live run lost 4 of 6 such devices when
     * the opt-out came first.
     */
    @Test
    void aDeviceRegisteredBeforeAnOptOutIsSentWhicheverArrivesFirst() {
        long t = MappingTestSupport.T;
        // In time order: the registration, then the opt-out.
        World inOrder = new World();
        inOrder.apply(ada().at(t));
        assertThat(labels(inOrder.apply(ada().at(t + 1_000).device("iOS", "apns-1"))))
                .containsExactly("add_device:apns-1 id:ada");

        // The opt-out batch first, then the device change of the older registration.
        World optOutFirst = new World();
        optOutFirst.apply(ada().at(t));
        MappingTestSupport.Batch registration = ada().at(t + 1_000).device("iOS", "apns-1");
        optOutFirst.batchOnly(World.parse(registration.json()));
        optOutFirst.apply(ada().at(t + 2_000).events(Events.optOut(true, t + 2_000)));
        assertThat(labels(optOutFirst.changesOf(World.parse(registration.json()))))
                .containsExactly("add_device:apns-1 id:ada");
        assertThat(optOutFirst.users.get("1").pushDevices)
                .singleElement()
                .satisfies(d -> assertThat(d.sent).isTrue());

        // A registration after the opt-out (by time) still waits, however it arrives.
        MappingTestSupport.Batch later = ada().at(t + 3_000).device("iOS", "apns-2");
        optOutFirst.batchOnly(World.parse(later.json()));
        assertThat(labels(optOutFirst.changesOf(World.parse(later.json())))).isEmpty();
    }

    @Test
    void aHeldDeviceTheUserLostBeforeItWasSentIsDroppedWithoutADeletion() {
        World world = new World();
        world.apply(batch().mpid("2").device("iOS", "apns-2"));
        world.apply(batch().mpid("3").customerId("cy").device("iOS", "apns-2"));
        assertThat(world.users.get("2").pushDevices).isNull();
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("2")
                                                .at(MappingTestSupport.T + 1)
                                                .customerId("dee"))))
                .containsExactly("identify id:dee");
        assertThat(world.devicesDeleted).isZero();
    }

    @Test
    void aHeldDeviceFollowsTheIdentifyThatAttachesAnIdAddressedByTheId() {
        World world = new World();
        long t = MappingTestSupport.T;
        world.apply(batch().mpid("4").email("eve@x.io").events(Events.optOut(true, t)));
        assertThat(world.apply(batch().mpid("4").at(t + 1_000).device("iOS", "apns-4")))
                .as("held while opted out")
                .isEmpty();
        List<Op> ops =
                world.apply(
                        batch().mpid("4")
                                .at(t + 2_000)
                                .identities("{\"customer_id\":\"eve-1\",\"email\":\"eve@x.io\"}")
                                .events(Events.optOut(false, t + 1_500)));
        assertThat(labels(ops))
                .containsExactly("identify email:eve@x.io", "add_device:apns-4 id:eve-1");
        assertThat(ops.get(0).raw.lastInRequest)
                .as("what is addressed by the new id waits for its acknowledgement")
                .isTrue();
    }

    @Test
    void v1SendsDevicesToTheDevicesEndpoints() {
        World world =
                new World(
                        MappingSettings.builder().forwardDevices(true).apiMode(ApiMode.V1).build());
        world.apply(batch().mpid("1").email("ann@x.io").device("iOS", "apns/1"));
        List<Op> ops = world.apply(batch().mpid("2").customerId("a@b").device("iOS", "apns/1"));
        assertThat(ops)
                .extracting(o -> o.raw.method + " " + o.raw.path)
                .containsExactly(
                        "POST /api/v2/entity",
                        "DELETE /api/v1/customers/ann%40x.io/devices/apns%2F1",
                        "POST /api/v2/entity");
        assertThat(ops.get(2).body.get("action").asText())
                .as("an id a v1 path would read as an email goes as v2")
                .isEqualTo("add_device");
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("3")
                                                .customerId("cid-3")
                                                .device("Android", "fcm-3"))))
                .containsExactly(
                        "identify /api/v1/customers/cid-3",
                        "add_device:fcm-3 /api/v1/customers/cid-3/devices");
    }

    @Test
    void aUserKeepsAtMostTheMostRecentlyUsedDevices() {
        World world = new World();
        for (int i = 0; i < PushDevices.MAX_DEVICES + 3; i++) {
            world.apply(
                    ada().at(MappingTestSupport.T + i * 1_000L)
                            .events(Events.pushRegistration(true, "t-" + i))
                            .platform("iOS"));
        }
        List<PushDevice> kept = world.users.get("1").pushDevices;
        assertThat(kept).hasSize(PushDevices.MAX_DEVICES);
        assertThat(kept.get(0).token).isEqualTo("t-3");
        assertThat(world.devicesAdded).isEqualTo(PushDevices.MAX_DEVICES + 3);
        // A token forgotten here that leaves still gets its deletion (it may be in Customer.io).
        assertThat(
                        labels(
                                world.apply(
                                        batch().mpid("5")
                                                .customerId("fay")
                                                .at(MappingTestSupport.T + 99_000)
                                                .device("iOS", "t-0"))))
                .containsExactly(
                        "identify id:fay", "delete_device:t-0 id:ada", "add_device:t-0 id:fay");
    }

    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void withoutTheSettingNothingOfItHappens(ApiMode mode) {
        World world = new World(MappingSettings.defaults().withApiMode(mode));
        List<Op> ops =
                world.apply(
                        ada().device("iOS", "apns-1")
                                .events(Events.pushRegistration(true, "apns-2")));
        assertThat(ops).extracting(Op::kind).containsOnly(OperationKind.IDENTIFY);
        assertThat(world.tokens).isEmpty();
        assertThat(world.users.get("1").pushDevices).isNull();
        DeviceChange change = new DeviceChange();
        change.userKey = "1";
        change.token = "x";
        change.platform = "ios";
        change.add = true;
        Transition t = world.machine.applyDeviceChange(world.users.get("1"), change);
        assertThat(t.operations()).isEmpty();
        assertThat(t.state()).isNull();
    }

    /** The conformance corpus, one user's history, with devices on: valid operations only. */
    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void theConformanceCorpusWithDevicesOnSendsOnlyValidDeviceOperations(ApiMode mode)
            throws IOException {
        World world =
                new World(MappingSettings.builder().forwardDevices(true).apiMode(mode).build());
        Path dir = Path.of("src/test/resources/mparticle/conformance");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(f -> f.toString().endsWith(".json"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        List<Op> all = new ArrayList<>();
        for (Path file : files) {
            all.addAll(world.apply(Files.readString(file)));
        }
        // The corpus never moves a token between users, and unregisters only tokens it never
        // registered: additions only.
        assertThat(all)
                .extracting(Op::kind)
                .contains(OperationKind.ADD_DEVICE)
                .doesNotContain(OperationKind.DELETE_DEVICE);
        // Every device the corpus registered on iOS or Android and did not unregister is the
        // user's, once.
        UserState ada = world.users.get("7204715390165421113");
        assertThat(ada.pushDevices).isNotEmpty();
        assertThat(ada.pushDevices).extracting(d -> d.token).doesNotHaveDuplicates();
        assertThat(ada.pushDevices)
                .extracting(d -> d.token)
                .contains("fcm-d5b36bf1-a034-4758-9c7d-71ec965ca03c")
                .doesNotContain(
                        "fcm-999b2d48-06bd-4b11-be61-28836136d49e",
                        "fcm-62f7eb36-097f-4cdf-b15a-99c32da1f3ce");
    }

    /**
     * Every committed hostile record, with devices on: the device rules never throw, and whatever
     * operations come out are valid (a token over the limit or of another type never reaches
     * Customer.io).
     */
    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void hostileInputNeverBreaksTheDeviceRules(ApiMode mode) {
        World world =
                new World(MappingSettings.builder().forwardDevices(true).apiMode(mode).build());
        int accepted = 0;
        for (HostileCorpus.Entry entry : HostileCorpus.committed()) {
            ParseResult parsed = new BatchParser().parse(entry.bytes().get(), 0L);
            if (parsed.isRejected() || parsed.batch().userKey == null) {
                continue;
            }
            accepted++;
            List<Op> ops = world.batchOnly(parsed.batch());
            ops.addAll(world.changesOf(parsed.batch()));
            for (Op op : ops) {
                if (op.kind() == OperationKind.ADD_DEVICE
                        || op.kind() == OperationKind.DELETE_DEVICE) {
                    assertThat(op.deviceToken().length()).as(entry.name()).isBetween(1, 1000);
                }
            }
        }
        assertThat(accepted).isGreaterThan(20);
    }
}
