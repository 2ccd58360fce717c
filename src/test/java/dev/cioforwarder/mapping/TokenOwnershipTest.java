package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.state.TokenOwner;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The token index: who a push token belongs to, and who must hear of a change ({@link
 * TokenOwnership}).
 */
class TokenOwnershipTest {

    private static final long DAY = 86_400_000L;

    private TokenOwner owner;
    private final List<DeviceChange> changes = new ArrayList<>();

    /** customerio.device-refresh-interval; its default. */
    private long refreshMs = DAY;

    private static TokenSighting sighting(
            String user, String platform, long timeMs, boolean register) {
        TokenSighting s = new TokenSighting();
        s.token = "tok";
        s.userKey = user;
        s.mpid = user;
        s.platform = platform;
        s.timeMs = timeMs;
        s.register = register;
        s.sourceTopic = "in";
        s.sourcePartition = 1;
        s.sourceOffset = timeMs;
        return s;
    }

    /** Applies a sighting; returns the changes as "add user platform" / "delete user". */
    private List<String> see(String user, String platform, long timeMs, boolean register) {
        changes.clear();
        TokenOwner before = owner;
        TokenOwner next =
                TokenOwnership.apply(
                        owner, sighting(user, platform, timeMs, register), refreshMs, changes);
        if (next != before) {
            assertThat(next).as("a changed record is a new object").isNotSameAs(before);
        }
        owner = next;
        return changes.stream()
                .map(
                        c ->
                                c.refresh
                                        ? "refresh " + c.userKey + " " + c.platform
                                        : c.add
                                                ? "add " + c.userKey + " " + c.platform
                                                : "delete " + c.userKey)
                .collect(Collectors.toList());
    }

    private List<String> register(String user, String platform, long timeMs) {
        return see(user, platform, timeMs, true);
    }

    private List<String> unregister(String user, long timeMs) {
        return see(user, null, timeMs, false);
    }

    @Test
    void aNewTokenGoesToItsUserAndTheSameRegistrationAgainChangesNothing() {
        assertThat(register("A", "ios", 10)).containsExactly("add A ios");
        assertThat(register("A", "ios", 20)).isEmpty();
        assertThat(register("A", "ios", 20)).isEmpty();
        assertThat(owner.userKey).isEqualTo("A");
        assertThat(owner.timeMs).as("the newest sighting is remembered").isEqualTo(20);
    }

    /**
     * The owner seen again on the same platform a refresh interval after the addition last sent:
     * sent again, so last_used in Customer.io follows the device's use; counted from that addition,
     * not from the newest sighting, so daily use refreshes once a day.
     */
    @Test
    void aDeviceSeenAgainARefreshIntervalAfterItWasLastSentIsSentAgain() {
        long t = 1_764_400_000_000L;
        assertThat(register("A", "ios", t)).containsExactly("add A ios");
        assertThat(register("A", "ios", t + DAY / 2)).isEmpty();
        assertThat(register("A", "ios", t + DAY - 1)).isEmpty();
        assertThat(register("A", "ios", t + DAY)).containsExactly("refresh A ios");
        assertThat(changes.get(0).add).as("a refresh is an addition").isTrue();
        assertThat(changes.get(0).timeMs).isEqualTo(t + DAY);
        assertThat(owner.addedTimeMs).isEqualTo(t + DAY);
        assertThat(register("A", "ios", t + DAY + DAY / 2)).isEmpty();
        assertThat(register("A", "ios", t + 3 * DAY)).containsExactly("refresh A ios");
        // A late sighting refreshes nothing: it reaches the owner as a plain addition (their
        // state sends nothing it has sent), and the record keeps its newest sighting.
        assertThat(register("A", "ios", t + 2 * DAY)).containsExactly("add A ios");
        assertThat(changes.get(0).refresh).isFalse();
        assertThat(owner.addedTimeMs).isEqualTo(t + 3 * DAY);
        assertThat(owner.timeMs).isEqualTo(t + 3 * DAY);
    }

    /** The device's attributes changed (an app or OS update): sent again at once. */
    @Test
    void newDeviceAttributesAreSentAgainAndASightingWithoutAnyChangesNothing() {
        long t = 1_764_400_000_000L;
        register("A", "ios", t, attributes("17.1", "5.0"));
        assertThat(register("A", "ios", t + 1_000, attributes("17.1", "5.0"))).isEmpty();
        assertThat(register("A", "ios", t + 2_000, null))
                .as("a sighting that does not tell them")
                .isEmpty();
        assertThat(register("A", "ios", t + 3_000, attributes("17.1", "5.1")))
                .containsExactly("refresh A ios");
        assertThat(changes.get(0).attributes.appVersion).isEqualTo("5.1");
        assertThat(register("A", "ios", t + 4_000, attributes("17.1", "5.1"))).isEmpty();
        // Also with the time-based refresh off.
        refreshMs = 0;
        assertThat(register("A", "ios", t + 5_000, attributes("17.2", "5.1")))
                .containsExactly("refresh A ios");
    }

    /** A record from state version 5 or older knows no attributes: the next ones are taken. */
    @Test
    void aRecordWithoutAttributesTakesTheNextOnesAsSent() {
        long t = 1_764_400_000_000L;
        register("A", "ios", t);
        owner.attributesFingerprint = 0;
        assertThat(register("A", "ios", t + 1_000, attributes("17.1", "5.0"))).isEmpty();
        assertThat(owner.attributesFingerprint).isNotZero();
        assertThat(register("A", "ios", t + 2_000, attributes("17.1", "5.1")))
                .containsExactly("refresh A ios");
    }

    private static dev.cioforwarder.customerio.DeviceAttributes attributes(String os, String app) {
        return dev.cioforwarder.customerio.DeviceAttributes.of(os, "iPhone15,2", app, "en-US");
    }

    private List<String> register(
            String user,
            String platform,
            long timeMs,
            dev.cioforwarder.customerio.DeviceAttributes attributes) {
        changes.clear();
        TokenSighting s = sighting(user, platform, timeMs, true);
        s.attributes = attributes;
        owner = TokenOwnership.apply(owner, s, refreshMs, changes);
        return changes.stream()
                .map(c -> (c.refresh ? "refresh " : "add ") + c.userKey + " " + c.platform)
                .collect(Collectors.toList());
    }

    @Test
    void withTheRefreshOffTheSameRegistrationNeverGoesAgain() {
        refreshMs = 0;
        long t = 1_764_400_000_000L;
        register("A", "ios", t);
        assertThat(register("A", "ios", t + 400 * DAY)).isEmpty();
        assertThat(owner.timeMs).isEqualTo(t + 400 * DAY);
    }

    /**
     * A record restored from a savepoint of state version 5 or older has no addition time: it
     * counts from the newest sighting it holds, so an upgrade does not send every device at once.
     */
    @Test
    void aRecordFromBeforeTheRefreshCountsFromItsNewestSighting() {
        long t = 1_764_400_000_000L;
        owner = new TokenOwner();
        owner.userKey = "A";
        owner.mpid = "A";
        owner.platform = "ios";
        owner.registered = true;
        owner.timeMs = t;
        assertThat(owner.addedTimeMs).isEqualTo(dev.cioforwarder.state.UserState.NONE);
        assertThat(register("A", "ios", t + DAY / 2)).isEmpty();
        assertThat(owner.addedTimeMs).as("pinned, so daily use still refreshes").isEqualTo(t);
        assertThat(register("A", "ios", t + DAY)).containsExactly("refresh A ios");
    }

    @Test
    void aPlatformChangeIsSentAgainToTheSameOwner() {
        register("A", "ios", 10);
        assertThat(register("A", "android", 20)).containsExactly("add A android");
    }

    @Test
    void aTokenThatMovesIsDeletedFromThePreviousUserBeforeTheNewOneGetsIt() {
        register("A", "ios", 10);
        changes.clear();
        TokenOwnership.apply(owner, sighting("B", "ios", 20, true), refreshMs, changes);
        DeviceChange delete = changes.get(0);
        assertThat(delete.add).isFalse();
        assertThat(delete.userKey).isEqualTo("A");
        assertThat(delete.mpid).as("addressed to A's MPID").isEqualTo("A");
        assertThat(delete.token).isEqualTo("tok");
        assertThat(delete.sourceOffset).as("caused by B's batch").isEqualTo(20);
        assertThat(changes.get(1).add).isTrue();
        assertThat(changes.get(1).userKey).isEqualTo("B");
        assertThat(changes.get(1).timeMs).isEqualTo(20);

        assertThat(register("B", "ios", 20)).containsExactly("delete A", "add B ios");
        assertThat(register("A", "ios", 30)).containsExactly("delete B", "add A ios");
    }

    @Test
    void anUnregistrationByAnyoneTakesItFromItsOwnerOnce() {
        register("A", "ios", 10);
        assertThat(unregister("A", 20)).containsExactly("delete A");
        assertThat(unregister("A", 30)).isEmpty();
        assertThat(owner.registered).isFalse();

        register("A", "ios", 40);
        assertThat(unregister("C", 50))
                .as("the token is dead on its device")
                .containsExactly("delete A");
        assertThat(register("B", "android", 60))
                .as("nobody has it to lose")
                .containsExactly("add B android");
    }

    @Test
    void aLateSightingChangesNothing() {
        register("A", "ios", 10);
        register("A", "ios", 50);
        // B's late batch from before A's newest: in time order A had it last.
        assertThat(register("B", "ios", 30)).isEmpty();
        assertThat(unregister("A", 40)).isEmpty();
        assertThat(owner.userKey).isEqualTo("A");
        assertThat(owner.registered).isTrue();
    }

    @Test
    void anUnregisteredTokenNeverSeenIsRememberedSoAnOlderRegistrationStaysLate() {
        assertThat(unregister("A", 50)).isEmpty();
        assertThat(owner.registered).isFalse();
        assertThat(register("A", "ios", 40)).isEmpty();
        assertThat(register("A", "ios", 60)).containsExactly("add A ios");
    }
}
