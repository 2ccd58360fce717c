package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.state.DeviceVisitors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The device index ({@link AnonymousStitching}): which anonymous MPIDs of a device are given to
 * which known user, in any arrival order.
 */
class AnonymousStitchingTest {

    private static final long DAY = 86_400_000L;
    private static final long T = 1_764_400_000_000L;

    /** Devices in memory, as the device-visitors stage keeps them. */
    private static final class Devices {
        final Map<String, DeviceVisitors> byDevice = new HashMap<>();
        Predicate<String> erased = mpid -> false;

        /** "anonymous mpids -> user" for each stitch the visit causes. */
        List<String> visit(String device, String mpid, boolean known, long timeMs) {
            DeviceVisit v = new DeviceVisit();
            v.deviceId = device;
            v.mpid = mpid;
            v.userKey = known ? "user-" + mpid : mpid;
            v.known = known;
            v.timeMs = timeMs;
            List<AnonymousStitch> out = new ArrayList<>();
            byDevice.put(device, AnonymousStitching.apply(byDevice.get(device), v, erased, out));
            return out.stream()
                    .map(s -> String.join(",", s.anonymousMpids) + " -> " + s.userKey)
                    .collect(Collectors.toList());
        }

        List<String> anonymous(String device, String mpid, long timeMs) {
            return visit(device, mpid, false, timeMs);
        }

        List<String> known(String device, String mpid, long timeMs) {
            return visit(device, mpid, true, timeMs);
        }
    }

    @Test
    void theAnonymousMpidsOfADeviceGoToTheNextUserKnownThereOnce() {
        Devices d = new Devices();
        assertThat(d.anonymous("dev-1", "11", T)).isEmpty();
        assertThat(d.anonymous("dev-1", "12", T + 1_000)).isEmpty();
        assertThat(d.anonymous("dev-2", "21", T + 1_000)).as("another device").isEmpty();
        assertThat(d.known("dev-1", "99", T + 2_000)).containsExactly("11,12 -> user-99");
        // Once: the same user again, or another one, gets nothing more.
        assertThat(d.known("dev-1", "99", T + 3_000)).isEmpty();
        assertThat(d.known("dev-1", "98", T + 4_000)).isEmpty();
        // Activity after the login (a logout gave the device a new anonymous MPID) waits for the
        // next login, whoever it is.
        assertThat(d.anonymous("dev-1", "13", T + 5_000)).isEmpty();
        assertThat(d.known("dev-1", "98", T + 6_000)).containsExactly("13 -> user-98");
    }

    /** A late batch: the anonymous MPID arrives after the login that followed it in time. */
    @Test
    void anAnonymousMpidArrivingAfterTheLoginThatFollowedItIsGivenToThatUser() {
        Devices d = new Devices();
        assertThat(d.known("dev-1", "97", T - 10 * DAY)).isEmpty();
        assertThat(d.known("dev-1", "99", T + 2_000)).isEmpty();
        assertThat(d.anonymous("dev-1", "11", T)).containsExactly("11 -> user-99");
        assertThat(d.anonymous("dev-1", "11", T + 500)).as("once").isEmpty();
        // Newer than every login seen: it waits.
        assertThat(d.anonymous("dev-1", "12", T + 3_000)).isEmpty();
    }

    @Test
    void anMpidSeenKnownOnTheDeviceIsNeverAnonymousActivityOfSomeoneElse() {
        Devices d = new Devices();
        // 11 was anonymous, then logged in itself: its own identify merges its events.
        assertThat(d.anonymous("dev-1", "11", T)).isEmpty();
        assertThat(d.known("dev-1", "11", T + 1_000)).isEmpty();
        // A batch of 11 without identities later (identities are in the user's state) is still
        // 11's, never given to the next user.
        assertThat(d.anonymous("dev-1", "11", T + 2_000)).isEmpty();
        assertThat(d.known("dev-1", "99", T + 3_000)).isEmpty();
    }

    /** Customer.io keeps anonymous events 30 days: older activity merges into nobody. */
    @Test
    void activityOlderThanThirtyDaysBeforeTheLoginIsNotGiven() {
        Devices d = new Devices();
        d.anonymous("dev-1", "11", T);
        d.anonymous("dev-1", "12", T + 2 * DAY);
        assertThat(d.known("dev-1", "99", T + 31 * DAY)).containsExactly("12 -> user-99");
    }

    /** The erased person's anonymous events (kept by Customer.io up to 30 days) join nobody. */
    @Test
    void anErasedMpidIsNeverGivenToAnyone() {
        Devices d = new Devices();
        Set<String> erased = Set.of("11");
        d.erased = erased::contains;
        d.anonymous("dev-1", "11", T);
        d.anonymous("dev-1", "12", T);
        assertThat(d.known("dev-1", "99", T + 1_000)).containsExactly("12 -> user-99");

        // Erased after its visit was recorded: still given to nobody.
        Devices later = new Devices();
        later.anonymous("dev-1", "11", T);
        later.erased = erased::contains;
        assertThat(later.known("dev-1", "99", T + 1_000)).isEmpty();
    }

    @Test
    void aDeviceKeepsAFewVisitorsTheLeastRecentlySeenForgottenFirst() {
        Devices d = new Devices();
        for (int i = 0; i < AnonymousStitching.MAX_ANONYMOUS + 3; i++) {
            d.anonymous("shared", Integer.toString(100 + i), T + i);
        }
        for (int i = 0; i < AnonymousStitching.MAX_KNOWN + 2; i++) {
            d.known("other", Integer.toString(200 + i), T + i);
        }
        assertThat(d.byDevice.get("shared").anonymous).hasSize(AnonymousStitching.MAX_ANONYMOUS);
        assertThat(d.byDevice.get("other").known).hasSize(AnonymousStitching.MAX_KNOWN);
        List<String> given = d.known("shared", "300", T + 100);
        assertThat(given).singleElement().asString().startsWith("103,").endsWith("110 -> user-300");
    }

    private static MParticleBatch parse(String json, boolean readDeviceIds) {
        ParseResult r =
                new BatchParser(BatchParser.DEFAULT_MAX_RECORD_BYTES, readDeviceIds)
                        .parse(json.getBytes(StandardCharsets.UTF_8), T);
        assertThat(r.isRejected()).as("%s", r).isFalse();
        return r.batch();
    }

    /**
     * The device identifier: the OS's (which survive a reinstall) before mParticle's own, an
     * all-zero vendor id (unavailable) is none, and only read when stitching is on.
     */
    @Test
    void theVisitNamesTheDeviceByItsMostDurableIdentifier() {
        String ios =
                "{\"mpid\":5,\"mp_deviceid\":\"7f03c931-7398-4b70-8d7c-282db0f86930\","
                        + "\"device_info\":{\"platform\":\"iOS\","
                        + "\"ios_idfv\":\"2B8B32B6-0DE7-482C-9117-E473DD20B105\"}}";
        assertThat(parse(ios, true).deviceId)
                .isEqualTo("ios_idfv:2b8b32b6-0de7-482c-9117-e473dd20b105");
        assertThat(parse(ios, false).deviceId).as("not read when not stitching").isNull();
        assertThat(
                        parse(
                                        "{\"mpid\":5,\"device_info\":{\"android_uuid\":\"a1b2c3d4e5f60718\","
                                            + "\"ios_idfv\":null}}",
                                        true)
                                .deviceId)
                .isEqualTo("android_uuid:a1b2c3d4e5f60718");
        assertThat(
                        parse(
                                        "{\"mpid\":5,\"device_info\":{\"ios_idfv\":"
                                                + "\"00000000-0000-0000-0000-000000000000\"},"
                                                + "\"mp_deviceid\":\"ae2cf53c\"}",
                                        true)
                                .deviceId)
                .isEqualTo("mp_deviceid:ae2cf53c");
        assertThat(parse("{\"mpid\":5,\"device_info\":{\"ios_idfv\":{}}}", true).deviceId)
                .as("an identifier of another type is none, and no reason to reject")
                .isNull();
    }

    private static MParticleBatch corpus(String file) throws java.io.IOException {
        try (var in =
                AnonymousStitchingTest.class.getResourceAsStream(
                        "/mparticle/conformance/" + file)) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), true);
        }
    }

    /**
     * The conformance corpus's device batches, in mParticle's shapes: the anonymous MPID of an
     * Android device is given to the other MPID that logs in on it; a web batch names its browser
     * by mp_deviceid alone.
     */
    @Test
    void theCorpusDeviceBatchesStitchAsTheyShould() throws Exception {
        MParticleBatch anonymous = corpus("device-identifiers-anonymous-android.json");
        MParticleBatch loggedIn = corpus("device-identifiers-logged-in-android.json");
        assertThat(anonymous.deviceId).isEqualTo("android_uuid:8f3c2a71d0b94e65");
        assertThat(loggedIn.deviceId).isEqualTo(anonymous.deviceId);
        DeviceVisit first = AnonymousStitching.visitOf(anonymous, UserIdType.PREFER_CUSTOMER_ID);
        DeviceVisit second = AnonymousStitching.visitOf(loggedIn, UserIdType.PREFER_CUSTOMER_ID);
        assertThat(first.known).isFalse();
        assertThat(second.known).isTrue();
        List<AnonymousStitch> out = new ArrayList<>();
        DeviceVisitors d = AnonymousStitching.apply(null, first, mpid -> false, out);
        AnonymousStitching.apply(d, second, mpid -> false, out);
        assertThat(out)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.userKey).isEqualTo(loggedIn.userKey);
                            assertThat(s.anonymousMpids).containsExactly("-3087761290457721349");
                        });

        assertThat(corpus("device-identifiers-web-mp-deviceid.json").deviceId)
                .isEqualTo("mp_deviceid:f2d8b0c4-6a19-4e73-b5c2-0e9a7d3f1b86");
        assertThat(corpus("user-attributes-user-tags.json").deviceId)
                .as("the vendor id before mParticle's own")
                .isEqualTo("ios_idfv:2b8b32b6-0de7-482c-9117-e473dd20b105");
    }

    @Test
    void aVisitIsKnownWhenTheBatchHasTheIdentityTheUserIdTypeAddressesBy() {
        MParticleBatch emailOnly =
                parse(
                        "{\"mpid\":5,\"mp_deviceid\":\"d-1\",\"user_identities\":"
                                + "{\"email\":\"ada@example.com\"}}",
                        true);
        assertThat(AnonymousStitching.visitOf(emailOnly, UserIdType.PREFER_CUSTOMER_ID).known)
                .isTrue();
        assertThat(AnonymousStitching.visitOf(emailOnly, UserIdType.EMAIL).known).isTrue();
        assertThat(AnonymousStitching.visitOf(emailOnly, UserIdType.CUSTOMER_ID).known).isFalse();
        assertThat(AnonymousStitching.visitOf(emailOnly, UserIdType.MPID))
                .as("addressed by MPID, nobody is anonymous")
                .isNull();
        MParticleBatch noDevice = parse("{\"mpid\":5}", true);
        assertThat(AnonymousStitching.visitOf(noDevice, UserIdType.PREFER_CUSTOMER_ID)).isNull();
    }
}
