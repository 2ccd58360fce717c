package dev.cioforwarder.upgrade;

import dev.cioforwarder.testing.Fixtures;
import dev.cioforwarder.testing.MavenClasspath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The data behind the committed savepoints in {@code src/test/resources/savepoints}: the batches a
 * fixture job processed before its savepoint was taken, and the batches a restored job gets after.
 * Both jobs use the same input topic name, transactional id prefix and settings, as an upgraded
 * production job would.
 */
final class SavepointFixtures {

    /** The input topic of the fixture jobs (its name is part of the Kafka source's state). */
    static final String TOPIC = "savepoint-fixture-input";

    static final String DEAD_LETTER_TOPIC = TOPIC + ".customerio-dlq";
    static final String FEEDBACK_TOPIC = TOPIC + ".customerio-feedback";

    /** Settings shared by the job that made a fixture and the jobs that restore it. */
    static final String[] SETTINGS = {
        "kafka.topic", TOPIC,
        "kafka.group-id", "savepoint-fixture",
        "dead-letter.topic", DEAD_LETTER_TOPIC,
        "dead-letter.transactional-id-prefix", "savepoint-fixture",
        "customerio.send-created-at", "true",
    };

    /** The erasure topic of the fixture jobs from state version 4 (its offsets are state too). */
    static final String ERASURE_TOPIC = TOPIC + ".erasures";

    static final String ERASURE_OUTCOME_TOPIC = ERASURE_TOPIC + ".outcomes";

    /**
     * The settings of the fixture job of {@code version} and of the jobs that restore it: from
     * state version 4, push devices and erasure are on, so that the state they keep is in the
     * fixture.
     */
    static String[] settings(String version) {
        List<String> s = new ArrayList<>(List.of(SETTINGS));
        if (versionOf(version) >= 4) {
            s.addAll(
                    List.of(
                            "customerio.forward-devices", "true",
                            "privacy.erasure-topic", ERASURE_TOPIC,
                            "privacy.erasure-outcome-topic", ERASURE_OUTCOME_TOPIC));
        }
        if (versionOf(version) >= 5) {
            // A request Customer.io keeps failing leaves delivery after 2 s, its operations
            // parked (Leo); a request may wait 30 s for its answer (Mia's is in the queue).
            s.addAll(
                    List.of(
                            "customerio.in-slot-retry", "2s",
                            "customerio.request-timeout", "30s"));
        }
        if (versionOf(version) >= 6) {
            // The device index and the email index keep state (Nina, Pia).
            s.addAll(
                    List.of(
                            "customerio.anonymous-events", "true",
                            "customerio.guard-shared-emails", "true"));
        }
        return s.toArray(new String[0]);
    }

    static final long ADA = 8315498751227740121L;
    static final long GRACE = 264200868161219981L;
    static final long ALAN = -7636538281262557041L;
    static final long NOBODY = 4411223344556677889L;
    static final long MARGARET = 5005L;

    /** Added with state version 3: what only that version's state holds. */
    static final long HEIDI = 6006L;

    /** Added with state version 4: a user with a push device Customer.io was sent. */
    static final long IVAN = 7007L;

    /** Added with state version 4: an anonymous user whose push device is held. */
    static final long JUDY = 8008L;

    /** Added with state version 4: a user erased before the savepoint. */
    static final long KEN = 9009L;

    /** The time of Ken's erasure request: his batches older than it stay held back for good. */
    static final long KEN_ERASED_AT_MS = 1764360000000L;

    /**
     * Added with state version 5: a user whose requests the fixture job's Customer.io refused with
     * 503 until the savepoint, so that his operations wait in his state (a held lane, entries in
     * {@code waiting-operations}) and delivery holds a parked-user mark for him.
     */
    static final long LEO = 10010L;

    static final String LEO_ID = "cust-10010";

    /**
     * Leo's operations waiting at the savepoint: identify, event, event of his first batch, then
     * identify, event of his second.
     */
    static final int LEO_WAITING = 5;

    /**
     * Added with state version 5: a user whose request was in delivery's AsyncIO queue at the
     * savepoint, waiting for Customer.io's answer. Her key is on the other subtask than Leo's at
     * parallelism 2, whose circuit breaker Leo's refusals had opened (it would have parked her
     * request at once).
     */
    static final long MIA = 13013L;

    static final String MIA_ID = "cust-13013";

    /** Added with state version 6: anonymous on {@link #NINAS_DEVICE}, in the device index. */
    static final long NINA = 14014L;

    /** Nina's device: {@code device_info.android_uuid}. */
    static final String NINAS_DEVICE = "a1b2c3d4e5f60718";

    /** Added with state version 6 (after the savepoint): logs in on Nina's device. */
    static final long OTTO = 15015L;

    /** Added with state version 6: holds {@link #PIAS_EMAIL} in the email index. */
    static final long PIA = 16016L;

    static final String PIAS_EMAIL = "pia@example.com";

    /** Added with state version 6 (after the savepoint): another customer with Pia's email. */
    static final long QUINN = 17017L;

    private SavepointFixtures() {}

    private static Map.Entry<String, byte[]> record(long mpid, String json) {
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    /** The state version of a fixture: 3 for {@code state-v3}. */
    static int versionOf(String fixture) {
        return Integer.parseInt(fixture.substring("state-v".length()));
    }

    /**
     * What the fixture job of {@code version} read before its savepoint, in the order of the input
     * topic: {@link #settledBefore}, then from state version 5 {@link #waitingBefore} and {@link
     * #inFlightBefore}.
     */
    static List<Map.Entry<String, byte[]>> before(String version) {
        List<Map.Entry<String, byte[]>> r = settledBefore(version);
        r.addAll(waitingBefore(version));
        r.addAll(inFlightBefore(version));
        return r;
    }

    /**
     * What the fixture job of {@code version} read and delivered before its savepoint: 5 users and
     * 7 events forwarded; from state version 3 also Heidi, who opted out before she had an
     * identity; from state version 4 Ivan, Judy and Ken (push devices, an erasure).
     */
    static List<Map.Entry<String, byte[]>> settledBefore(String version) {
        List<Map.Entry<String, byte[]>> r = before();
        if (versionOf(version) >= 3) {
            // Opted out while anonymous: remembered.
            r.add(
                    record(
                            HEIDI,
                            "{\"mpid\":6006,\"timestamp_unixtime_ms\":1764200000000,"
                                    + "\"user_attributes\":{\"plan\":\"pro\"},\"events\":["
                                    + "{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":true,"
                                    + "\"timestamp_unixtime_ms\":1764199000000}}]}"));
            // Identified while opted out: unsubscribed and identifiers go out, the profile and
            // the removal of "legacy" wait.
            r.add(
                    record(
                            HEIDI,
                            "{\"mpid\":6006,\"timestamp_unixtime_ms\":1764300000000,"
                                + "\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"cust-6006\"},"
                                + "{\"identity_type\":\"email\",\"identity\":\"heidi@example.com\"}],"
                                + "\"user_attributes\":{\"plan\":\"pro\",\"team\":\"blue\"},"
                                + "\"deleted_user_attributes\":[\"legacy\"],\"events\":[]}"));
        }
        if (versionOf(version) >= 4) {
            // Ivan registers a push token: sent with his identify.
            r.add(
                    record(
                            IVAN,
                            "{\"mpid\":7007,\"timestamp_unixtime_ms\":1764300000000,"
                                + "\"user_identities\":{\"customer_id\":\"cust-7007\"},"
                                + "\"device_info\":{\"platform\":\"iOS\"},\"events\":["
                                + "{\"event_type\":\"push_registration\",\"data\":{\"register\":true,"
                                + "\"registration_token\":\"apns-ivan\"}},"
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Ivan Joined",
                                            1764299000000L,
                                            "before-ivan")
                                    + "]}"));
            // Judy is anonymous: her token waits in state for her first identify.
            r.add(
                    record(
                            JUDY,
                            "{\"mpid\":8008,\"timestamp_unixtime_ms\":1764300000000,"
                                    + "\"device_info\":{\"platform\":\"Android\","
                                    + "\"push_token\":\"fcm-judy\"},\"events\":[]}"));
            // Ken is known, then erased (his erasure request follows, see erasureRequests).
            r.add(
                    record(
                            KEN,
                            "{\"mpid\":9009,\"timestamp_unixtime_ms\":1764300000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-9009\"},"
                                    + "\"user_attributes\":{\"plan\":\"pro\"},"
                                    + "\"device_info\":{\"platform\":\"iOS\","
                                    + "\"push_token\":\"apns-ken\"},\"events\":[]}"));
        }
        if (versionOf(version) >= 6) {
            // Nina browses anonymously on her Android device: the device index remembers her.
            r.add(
                    record(
                            NINA,
                            "{\"mpid\":14014,\"timestamp_unixtime_ms\":1764300000000,"
                                    + "\"device_info\":{\"platform\":\"Android\","
                                    + "\"android_uuid\":\""
                                    + NINAS_DEVICE
                                    + "\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Nina Browsed",
                                            1764299000000L,
                                            "before-nina")
                                    + "]}"));
            // Pia signs up: the email index answers that her email is hers.
            r.add(
                    record(
                            PIA,
                            "{\"mpid\":16016,\"timestamp_unixtime_ms\":1764300000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-16016\","
                                    + "\"email\":\""
                                    + PIAS_EMAIL
                                    + "\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Pia Joined",
                                            1764299000000L,
                                            "before-pia")
                                    + "]}"));
        }
        return r;
    }

    /**
     * From state version 5: Leo's batches, read once everything of {@link #settledBefore} was
     * delivered, while Customer.io answered every request holding him with 503. At the savepoint
     * his 5 operations wait, in order, in his state.
     */
    static List<Map.Entry<String, byte[]>> waitingBefore(String version) {
        List<Map.Entry<String, byte[]>> r = new ArrayList<>();
        if (versionOf(version) >= 5) {
            r.add(
                    record(
                            LEO,
                            "{\"mpid\":10010,\"timestamp_unixtime_ms\":1764300000000,"
                                    + "\"user_identities\":{\"customer_id\":\""
                                    + LEO_ID
                                    + "\"},\"user_attributes\":{\"plan\":\"free\"},"
                                    + "\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Leo Opened",
                                            1764299000000L,
                                            "before-leo-1")
                                    + ","
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Leo Browsed",
                                            1764299500000L,
                                            "before-leo-2")
                                    + "]}"));
            r.add(
                    record(
                            LEO,
                            "{\"mpid\":10010,\"timestamp_unixtime_ms\":1764300600000,"
                                    + "\"user_identities\":{\"customer_id\":\""
                                    + LEO_ID
                                    + "\"},\"user_attributes\":{\"plan\":\"pro\"},"
                                    + "\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Leo Paid",
                                            1764300500000L,
                                            "before-leo-3")
                                    + "]}"));
        }
        return r;
    }

    /**
     * From state version 5: Mia's batch, read last, while Customer.io took 25 s to answer: at the
     * savepoint her request (identify, event) is in delivery's queue.
     */
    static List<Map.Entry<String, byte[]>> inFlightBefore(String version) {
        List<Map.Entry<String, byte[]>> r = new ArrayList<>();
        if (versionOf(version) >= 5) {
            r.add(
                    record(
                            MIA,
                            "{\"mpid\":13013,\"timestamp_unixtime_ms\":1764300000000,"
                                    + "\"user_identities\":{\"customer_id\":\""
                                    + MIA_ID
                                    + "\"},\"user_attributes\":{\"plan\":\"team\"},"
                                    + "\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Mia Joined",
                                            1764299000000L,
                                            "before-mia")
                                    + "]}"));
        }
        return r;
    }

    /** The erasure requests the fixture job of {@code version} read before its savepoint. */
    static List<Map.Entry<String, byte[]>> erasureRequests(String version) {
        List<Map.Entry<String, byte[]>> r = new ArrayList<>();
        if (versionOf(version) >= 4) {
            r.add(
                    record(
                            KEN,
                            "{\"request_id\":\"fixture-ken\",\"mpid\":9009,\"time_ms\":"
                                    + KEN_ERASED_AT_MS
                                    + "}"));
        }
        return r;
    }

    /** Events the fixture job of {@code version} delivered before its savepoint (Leo's wait). */
    static int eventsBefore(String version) {
        return EVENTS_BEFORE
                + (versionOf(version) >= 4 ? 1 : 0)
                + (versionOf(version) >= 6 ? 1 : 0);
    }

    /** What the fixture job forwarded before the savepoint: 5 users, 7 events. */
    private static List<Map.Entry<String, byte[]>> before() {
        List<Map.Entry<String, byte[]>> r = new ArrayList<>();
        r.add(record(ADA, Fixtures.text("ios-customer-and-email.json")));
        r.add(record(GRACE, Fixtures.text("web-email-only-string-numbers.json")));
        r.add(record(ALAN, Fixtures.text("android-opt-out.json")));
        r.add(record(NOBODY, Fixtures.text("no-usable-identity.json")));
        r.add(record(ADA, Fixtures.text("eventless-attribute-update.json")));
        r.add(record(MARGARET, margaret(1764000000000L, "iOS", 1763990000000L, "m-1")));
        r.add(record(MARGARET, margaret(1764100000000L, "Android", 1764090000000L, "m-2")));
        return r;
    }

    static final int EVENTS_BEFORE = 7;

    private static String margaret(long batchTime, String platform, long eventTime, String smid) {
        return "{\"mpid\":5005,\"timestamp_unixtime_ms\":"
                + batchTime
                + ",\"user_identities\":{\"customer_id\":\"cust-5005\"},"
                + "\"user_attributes\":{\"$FirstName\":\"Margaret\",\"$LastName\":\"Hamilton\"},"
                + "\"device_info\":{\"platform\":\""
                + platform
                + "\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Launched\","
                + "\"timestamp_unixtime_ms\":"
                + eventTime
                + ",\"source_message_id\":\""
                + smid
                + "\"}}]}";
    }

    private static String event(
            String type, String nameField, String name, long time, String smid) {
        return "{\"event_type\":\""
                + type
                + "\",\"data\":{\""
                + nameField
                + "\":\""
                + name
                + "\",\"timestamp_unixtime_ms\":"
                + time
                + ",\"source_message_id\":\""
                + smid
                + "\"}}";
    }

    /**
     * What a restored job receives: each batch reveals one part of the restored state in what
     * Customer.io gets (see {@code SavepointMigrationITCase}).
     */
    static List<Map.Entry<String, byte[]>> after(String version) {
        List<Map.Entry<String, byte[]>> r = after();
        if (versionOf(version) >= 3) {
            // Heidi opts in: her profile goes out at last, with the removal held since.
            r.add(
                    record(
                            HEIDI,
                            "{\"mpid\":6006,\"timestamp_unixtime_ms\":1764400000000,"
                                + "\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"cust-6006\"},"
                                + "{\"identity_type\":\"email\",\"identity\":\"heidi@example.com\"}],"
                                + "\"user_attributes\":{\"plan\":\"pro\",\"team\":\"blue\"},\"events\":["
                                + "{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":false,"
                                + "\"timestamp_unixtime_ms\":1764398000000}},"
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Heidi Back",
                                            1764399000000L,
                                            "after-heidi")
                                    + "]}"));
        }
        if (versionOf(version) >= 4) {
            // Ivan's token again, 14 hours after it was sent: the restored state knows it was
            // sent, so it is not sent again.
            r.add(
                    record(
                            IVAN,
                            "{\"mpid\":7007,\"timestamp_unixtime_ms\":1764350000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-7007\"},"
                                    + "\"device_info\":{\"platform\":\"iOS\","
                                    + "\"push_token\":\"apns-ivan\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Ivan Back",
                                            1764349000000L,
                                            "after-ivan")
                                    + "]}"));
            // Two days after it was sent: refreshed (customerio.device-refresh-interval, 1 d),
            // although the token index's record predates the refresh (no addition time).
            r.add(
                    record(
                            IVAN,
                            "{\"mpid\":7007,\"timestamp_unixtime_ms\":1764472800000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-7007\"},"
                                    + "\"device_info\":{\"platform\":\"iOS\","
                                    + "\"push_token\":\"apns-ivan\"},\"events\":[]}"));
            // Judy signs in: her held token goes out with her first identify.
            r.add(
                    record(
                            JUDY,
                            "{\"mpid\":8008,\"timestamp_unixtime_ms\":1764400000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-8008\"},"
                                    + "\"device_info\":{\"platform\":\"Android\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Judy Signed In",
                                            1764399000000L,
                                            "after-judy")
                                    + "]}"));
            // Ken: a batch from before his erasure, uploaded late, stays held back; a newer one
            // makes a new person, without anything of the erased one.
            r.add(
                    record(
                            KEN,
                            "{\"mpid\":9009,\"timestamp_unixtime_ms\":"
                                    + (KEN_ERASED_AT_MS - 1000)
                                    + ",\"user_identities\":{\"customer_id\":\"cust-9009\"},"
                                    + "\"user_attributes\":{\"plan\":\"pro\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Ken Late",
                                            KEN_ERASED_AT_MS - 2000,
                                            "after-ken-late")
                                    + "]}"));
            r.add(
                    record(
                            KEN,
                            "{\"mpid\":9009,\"timestamp_unixtime_ms\":1764400000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-9009\"},"
                                    + "\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Ken Back",
                                            1764399000000L,
                                            "after-ken")
                                    + "]}"));
        }
        if (versionOf(version) >= 5) {
            // Leo and Mia again: their new events go after the ones that waited.
            r.add(
                    record(
                            LEO,
                            "{\"mpid\":10010,\"timestamp_unixtime_ms\":1764400000000,"
                                    + "\"user_identities\":{\"customer_id\":\""
                                    + LEO_ID
                                    + "\"},\"user_attributes\":{\"plan\":\"pro\"},"
                                    + "\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Leo Back",
                                            1764399000000L,
                                            "after-leo")
                                    + "]}"));
            r.add(
                    record(
                            MIA,
                            "{\"mpid\":13013,\"timestamp_unixtime_ms\":1764400000000,"
                                    + "\"user_identities\":{\"customer_id\":\""
                                    + MIA_ID
                                    + "\"},\"user_attributes\":{\"plan\":\"team\"},"
                                    + "\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Mia Back",
                                            1764399000000L,
                                            "after-mia")
                                    + "]}"));
        }
        if (versionOf(version) >= 6) {
            // Otto logs in on Nina's device: the restored device index gives him Nina's MPID, so
            // her anonymous activity joins his person.
            r.add(
                    record(
                            OTTO,
                            "{\"mpid\":15015,\"timestamp_unixtime_ms\":1764400000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-15015\"},"
                                    + "\"device_info\":{\"platform\":\"Android\","
                                    + "\"android_uuid\":\""
                                    + NINAS_DEVICE
                                    + "\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Otto Signed In",
                                            1764399000000L,
                                            "after-otto")
                                    + "]}"));
            // Quinn, another customer with Pia's email: the restored email index says it is
            // Pia's, so Quinn's person is made without it.
            r.add(
                    record(
                            QUINN,
                            "{\"mpid\":17017,\"timestamp_unixtime_ms\":1764400000000,"
                                    + "\"user_identities\":{\"customer_id\":\"cust-17017\","
                                    + "\"email\":\""
                                    + PIAS_EMAIL
                                    + "\"},\"events\":["
                                    + event(
                                            "custom_event",
                                            "event_name",
                                            "Quinn Joined",
                                            1764399000000L,
                                            "after-quinn")
                                    + "]}"));
        }
        return r;
    }

    private static List<Map.Entry<String, byte[]>> after() {
        List<Map.Entry<String, byte[]>> r = new ArrayList<>();
        // Ada, unchanged profile, same device: created_at restored, so none is sent (what her
        // restored fingerprint does is described in SavepointMigrationITCase).
        r.add(
                record(
                        ADA,
                        "{\"mpid\":8315498751227740121,\"timestamp_unixtime_ms\":1764400000000,"
                            + "\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"cust-1001\"},"
                            + "{\"identity_type\":\"email\",\"identity\":\"ada@example.com\"}],"
                            + "\"user_attributes\":{\"$FirstName\":\"Ada\",\"$LastName\":\"King\",\"plan\":\"enterprise\"},"
                            + "\"deleted_user_attributes\":[\"favourite_genres\"],\"device_info\":{\"platform\":\"iOS\"},"
                            + "\"events\":["
                                + event(
                                        "custom_event",
                                        "event_name",
                                        "Reopened App",
                                        1764399000000L,
                                        "after-ada")
                                + "]}"));
        // Grace, known by email, gains a Customer ID: one identify by email that sets the id.
        r.add(
                record(
                        GRACE,
                        "{\"mpid\":\"264200868161219981\",\"timestamp_unixtime_ms\":1764400000000,"
                            + "\"user_identities\":{\"email\":\"grace@example.org\",\"customer_id\":\"cust-3003\"},"
                            + "\"user_attributes\":{\"$firstname\":\"Grace\",\"$lastname\":\"Hopper\"},"
                            + "\"device_info\":{\"platform\":\"web\"},\"events\":["
                                + event(
                                        "custom_event",
                                        "event_name",
                                        "Upgraded",
                                        1764399000000L,
                                        "after-grace")
                                + "]}"));
        // Alan is opted out: this event waits...
        r.add(
                record(
                        ALAN,
                        "{\"mpid\":-7636538281262557041,\"timestamp_unixtime_ms\":1764400000000,"
                            + "\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"cust-2002\"}],"
                            + "\"device_info\":{\"platform\":\"Android\"},\"events\":["
                                + event(
                                        "custom_event",
                                        "event_name",
                                        "Viewed Pricing",
                                        1764399000000L,
                                        "after-alan-1")
                                + "]}"));
        // ...until he opts in again.
        r.add(
                record(
                        ALAN,
                        "{\"mpid\":-7636538281262557041,\"timestamp_unixtime_ms\":1764500000000,"
                            + "\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"cust-2002\"}],"
                            + "\"device_info\":{\"platform\":\"Android\"},\"events\":["
                            + "{\"event_type\":\"opt_out\",\"data\":{\"is_opted_out\":false}},"
                                + event(
                                        "custom_event",
                                        "event_name",
                                        "Came Back",
                                        1764499000000L,
                                        "after-alan-2")
                                + "]}"));
        // Nobody gets an identity: created_at is the first-seen time remembered while anonymous.
        r.add(
                record(
                        NOBODY,
                        "{\"mpid\":4411223344556677889,\"timestamp_unixtime_ms\":1764400000000,"
                            + "\"user_identities\":[{\"identity_type\":\"customer_id\",\"identity\":\"cust-4004\"}],"
                            + "\"device_info\":{\"platform\":\"iOS\"},\"events\":["
                                + event(
                                        "screen_view",
                                        "screen_name",
                                        "Welcome",
                                        1764399000000L,
                                        "after-nobody")
                                + "]}"));
        // Margaret back on iOS: created_at returns to iOS's first-seen time.
        r.add(record(MARGARET, margaret(1764400000000L, "iOS", 1764399000000L, "after-margaret")));
        return r;
    }

    /** Events a restored job must deliver (Alan's "Viewed Pricing" must not arrive). */
    static List<String> eventsAfter(String version) {
        List<String> events =
                new ArrayList<>(
                        List.of("Reopened_App", "Upgraded", "Came_Back", "Welcome", "Launched"));
        if (versionOf(version) >= 3) {
            events.add("Heidi_Back");
        }
        if (versionOf(version) >= 4) {
            events.addAll(List.of("Ivan_Back", "Judy_Signed_In", "Ken_Back"));
        }
        events.addAll(leoEventsAfter(version));
        events.addAll(miaEventsAfter(version));
        if (versionOf(version) >= 6) {
            // Nina's anonymous event (seeded into the restored job's Customer.io, as the old job
            // left it) merged into Otto's person.
            events.addAll(List.of("Otto_Signed_In", "Quinn_Joined", "Nina_Browsed"));
        }
        return events;
    }

    /**
     * Leo's events a restored job must deliver, in this order: the three that waited in his state
     * at the savepoint, then his new one.
     */
    static List<String> leoEventsAfter(String version) {
        return versionOf(version) >= 5
                ? List.of("Leo_Opened", "Leo_Browsed", "Leo_Paid", "Leo_Back")
                : List.of();
    }

    /** Mia's, in this order: the one in delivery's queue at the savepoint, then her new one. */
    static List<String> miaEventsAfter(String version) {
        return versionOf(version) >= 5 ? List.of("Mia_Joined", "Mia_Back") : List.of();
    }

    /** A copy of committed fixture {@code fixture} under {@code dir}, so no run alters it. */
    static Path copyOf(String fixture, Path dir) throws IOException {
        Path source =
                MavenClasspath.projectDir()
                        .resolve("src/test/resources/savepoints")
                        .resolve(fixture);
        Path copy = dir.resolve("restore-" + fixture);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        return copy;
    }
}
