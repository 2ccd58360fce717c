package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.SimulatorConfig;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Push devices through the production topology: a real broker, the job on a MiniCluster with
 * RocksDB (the token index and the user state both keyed), and the simulator applying the device
 * operations to its people. Tokens are added after the identify that creates their person (the
 * simulator counts any device that would have created one), held until a user has an identity,
 * deleted on unregistration and uninstall (an iOS token in mParticle's bracketed form and in plain
 * hex are one device), and a token that moves to another user after a rescale (stop with savepoint
 * at parallelism 2, restore at 3) is deleted from its previous user: the token index survived the
 * rescale. A job restored from a savepoint made before push devices existed forwards them for its
 * known users.
 */
class PushDevicesITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .setConfiguration(fastMetrics())
                            .build());

    private static final long T0 = 1_764_320_400_000L;

    private static final String KEN_BRACKETED =
            "<e481f135 9629f0c3 0a5b2c47 dd3e0a11 7b6cd5f8 a1a3c2b1 7d8e9f00 12345678>";
    private static final String KEN_PLAIN =
            "e481f1359629f0c30a5b2c47dd3e0a117b6cd5f8a1a3c2b17d8e9f0012345678";

    /** A batch of {@code mpid} at {@code T0 + offsetMs}, keyed by its MPID. */
    private static Map.Entry<String, byte[]> batch(
            long mpid, long offsetMs, String identities, String deviceInfo, String... events) {
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + (T0 + offsetMs)
                        + (identities == null ? "" : ",\"user_identities\":" + identities)
                        + (deviceInfo == null ? "" : ",\"device_info\":" + deviceInfo)
                        + ",\"events\":["
                        + String.join(",", events)
                        + "]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    private static String customerId(String id) {
        return "{\"customer_id\":\"" + id + "\"}";
    }

    private static String device(String platform, String token) {
        return "{\"platform\":\"" + platform + "\",\"push_token\":\"" + token + "\"}";
    }

    private static String pushRegistration(boolean register, String token) {
        return "{\"event_type\":\"push_registration\",\"data\":{\"register\":"
                + register
                + ",\"registration_token\":\""
                + token
                + "\"}}";
    }

    private static String uninstall() {
        return "{\"event_type\":\"uninstall\",\"data\":{}}";
    }

    private static String event(String name) {
        return "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                + name
                + "\",\"source_message_id\":\""
                + name
                + "\"}}";
    }

    /** Each person's devices as "token platform", by id (or email when they have no id). */
    private static Map<String, List<String>> devicesByPerson() {
        Map<String, List<String>> out = new TreeMap<>();
        for (Person p : customerio.people()) {
            out.put(
                    p.id() != null ? p.id() : p.email(),
                    p.devices().stream()
                            .map(d -> d.get("token").asText() + " " + d.get("platform").asText())
                            .collect(Collectors.toList()));
        }
        return out;
    }

    /**
     * Two MPIDs Customer.io knows as one person (both addressed by their shared email) pass a token
     * back and forth, against a Customer.io that answers at once and applies later, shuffling each
     * batch: the person ends with the device, because no deletion is sent for a token that moves
     * within one person (whichever of the two users' operations were applied last, a deletion could
     * have removed it).
     */
    @Test
    void aTokenMovingBetweenTwoMpidsOfOnePersonStaysWithThePerson(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        String lee = "{\"email\":\"lee@example.com\"}";
        String token = "fcm-lee";
        try (CustomerioSimulator applyLater =
                CustomerioSimulator.start(
                        SimulatorConfig.builder()
                                .port(0)
                                .siteId(SITE_ID)
                                .apiKey(API_KEY)
                                .region("us")
                                .applyLater(Duration.ofSeconds(1), 20261205L)
                                .build())) {
            JobClient job =
                    startJob(
                            settings(
                                    "customerio.forward-devices",
                                    "true",
                                    "customerio.endpoint",
                                    applyLater.baseUrl()));
            try {
                kafka.produce(
                        topic,
                        List.of(
                                batch(6101, 0, lee, device("Android", token), event("Lee_Phone")),
                                batch(
                                        6102,
                                        60_000,
                                        lee,
                                        device("Android", token),
                                        event("Lee_Tab")),
                                batch(
                                        6101,
                                        120_000,
                                        lee,
                                        device("Android", token),
                                        event("Lee_Back"))));
                Await.until(
                        Duration.ofMinutes(2),
                        () -> applyLater.events().size() == 3,
                        () -> applyLater.events().toString());
                applyLater.awaitApplied();
                assertDeviceMetrics(cluster, job, 3, 0, 0);
            } finally {
                Jobs.cancelAndWait(job);
            }
            assertThat(applyLater.people())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.email()).isEqualTo("lee@example.com");
                                assertThat(p.devices())
                                        .extracting(d -> d.get("token").asText())
                                        .containsExactly(token);
                            });
        }
    }

    @Test
    void devicesFollowTheirUsersAndATokenThatMovesAfterARescaleLeavesItsPreviousUser(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        // Ada: identified, on an iPhone whose details become the device's attributes.
        records.add(
                batch(
                        1001,
                        0,
                        customerId("cust-1001"),
                        "{\"platform\":\"iOS\",\"push_token\":\"apns-ada\",\"os_version\":\"17.2\","
                                + "\"device_model\":\"iPhone15,2\",\"locale_language\":\"en\","
                                + "\"locale_country\":\"GB\"}",
                        event("Opened")));
        // Grace: registers before she has an identity, then logs in.
        records.add(
                batch(
                        2002,
                        0,
                        null,
                        "{\"platform\":\"Android\"}",
                        pushRegistration(true, "fcm-g")));
        records.add(batch(2002, 1_000, "{\"email\":\"grace@example.org\"}", null));
        // Alan and Margaret register (and will turn push off, and uninstall).
        records.add(batch(4004, 0, customerId("cust-4004"), device("Android", "fcm-alan")));
        records.add(batch(5005, 0, customerId("cust-5005"), device("iOS", "apns-m")));
        // Ken: his iPhone's token as mParticle's JSON reference prints it.
        records.add(batch(8008, 0, customerId("cust-8008"), device("iOS", KEN_BRACKETED)));
        // Heidi: a web push subscription, which Customer.io cannot send to.
        records.add(batch(6006, 0, customerId("cust-6006"), device("web", "web-push")));
        // Users without push, around them.
        for (int i = 0; i < 12; i++) {
            records.add(batch(7000 + i, 0, customerId("cust-70" + i), null, event("Browse-" + i)));
        }
        kafka.produce(topic, records);

        Map<String, String> settings = settings("customerio.forward-devices", "true");
        JobClient job = startJob(settings, 2);
        Map<String, List<String>> expected = new TreeMap<>();
        try {
            expected.put("cust-1001", List.of("apns-ada ios"));
            expected.put("grace@example.org", List.of("fcm-g android"));
            expected.put("cust-4004", List.of("fcm-alan android"));
            expected.put("cust-5005", List.of("apns-m ios"));
            expected.put("cust-6006", List.of());
            expected.put("cust-8008", List.of(KEN_PLAIN + " ios"));
            for (int i = 0; i < 12; i++) {
                expected.put("cust-70" + i, List.of());
            }
            // 6 identifies of the device users, 12 of the others, 13 events, 5 devices added.
            awaitOperations(36, expected);
            assertThat(
                            customerio
                                    .personById("cust-1001")
                                    .orElseThrow()
                                    .devices()
                                    .get(0)
                                    .get("attributes")
                                    .toString())
                    .isEqualTo(
                            "{\"device_os\":\"17.2\",\"device_model\":\"iPhone15,2\","
                                    + "\"device_locale\":\"en-GB\"}");

            // Once Customer.io has them (before, a device held and then lost is never sent):
            kafka.produce(
                    topic,
                    List.of(
                            batch(
                                    4004,
                                    1_000,
                                    customerId("cust-4004"),
                                    null,
                                    pushRegistration(false, "fcm-alan")),
                            batch(
                                    5005,
                                    1_000,
                                    customerId("cust-5005"),
                                    device("iOS", "apns-m"),
                                    uninstall()),
                            // Ken's unregistration names the token in plain hex: the same device.
                            batch(
                                    8008,
                                    1_000,
                                    customerId("cust-8008"),
                                    null,
                                    pushRegistration(false, KEN_PLAIN))));
            expected.put("cust-4004", List.of());
            expected.put("cust-5005", List.of());
            expected.put("cust-8008", List.of());
            awaitOperations(39, expected);
            assertDeviceMetrics(cluster, job, 5, 3, 1);
        } catch (Throwable t) {
            Jobs.cancelAndWait(job);
            throw t;
        }
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();

        // Rescaled to 3: Ada's phone is now Bob's; Grace's token again, on the same platform.
        kafka.produce(
                topic,
                List.of(
                        batch(3003, 10_000, customerId("cust-3003"), device("iOS", "apns-ada")),
                        batch(
                                2002,
                                10_000,
                                "{\"email\":\"grace@example.org\"}",
                                device("Android", "fcm-g")),
                        // A day after her device was sent (customerio.device-refresh-interval, 1 d
                        // by default): it goes again with the newer last_used. The time it was
                        // sent came through the savepoint in the token index.
                        batch(
                                2002,
                                86_401_000,
                                "{\"email\":\"grace@example.org\"}",
                                device("Android", "fcm-g"))));
        JobClient restored = startJob(settings, 3, Path.of(URI.create(savepoint)));
        try {
            expected.put("cust-1001", List.of());
            expected.put("cust-3003", List.of("apns-ada ios"));
            // Bob's identify, the deletion from Ada, the addition to Bob; for Grace nothing 9 s
            // later (deltas only), her device again a day later.
            awaitOperations(39 + 4, expected);
            assertDeviceMetrics(cluster, restored, 2, 1, 0);
            Person grace =
                    customerio.people().stream()
                            .filter(p -> "grace@example.org".equals(p.email()))
                            .findFirst()
                            .orElseThrow();
            assertThat(grace.devices().get(0).get("last_used").asLong())
                    .isEqualTo((T0 + 86_401_000) / 1000);
        } finally {
            Jobs.cancelAndWait(restored);
        }
        assertThat(customerio.summary().peopleCreatedByDevices())
                .as("no device reached Customer.io before the identify that creates its person")
                .isZero();
        assertThat(customerio.summary().rejectedOperations()).isZero();
        assertThat(kafka.readCommitted(deadLetterTopic, 0, Duration.ofSeconds(2))).isEmpty();
    }

    /**
     * Waits for exactly {@code operations} and the devices expected, and checks nothing more came.
     */
    private static void awaitOperations(long operations, Map<String, List<String>> expected)
            throws Exception {
        Await.until(
                Duration.ofMinutes(2),
                () ->
                        customerio.summary().operations() >= operations
                                && devicesByPerson().equals(expected),
                () -> customerio.summary() + " " + devicesByPerson());
        Thread.sleep(2_000);
        assertThat(devicesByPerson()).isEqualTo(expected);
        assertThat(customerio.summary().operations()).isEqualTo(operations);
    }

    /**
     * {@code devices_added}, {@code devices_deleted} and {@code
     * skipped{device_platform_unsupported}} of the running job, summed over operators and subtasks.
     */
    private static void assertDeviceMetrics(
            MiniCluster cluster, JobClient job, long added, long deleted, long unsupported)
            throws Exception {
        URI rest = cluster.getRestAddress().get();
        String jobPath = "/jobs/" + job.getJobID();
        Map<String, Long> expected =
                Map.of(
                        "devices_added", added,
                        "devices_deleted", deleted,
                        "device_platform_unsupported", unsupported);
        AtomicReference<Object> last = new AtomicReference<>();
        Await.until(
                Duration.ofSeconds(30),
                () -> {
                    try {
                        Map<String, Long> m = deviceMetrics(rest, jobPath);
                        last.set(m);
                        return m.equals(expected);
                    } catch (Exception e) {
                        last.set(e);
                        return false;
                    }
                },
                () -> "metrics " + last.get());
    }

    private static Map<String, Long> deviceMetrics(URI rest, String jobPath) throws Exception {
        Map<String, Long> sums = new TreeMap<>();
        sums.put("devices_added", 0L);
        sums.put("devices_deleted", 0L);
        sums.put("device_platform_unsupported", 0L);
        metricSums(
                        rest,
                        jobPath,
                        id -> {
                            if (id.endsWith(".forwarder.devices_added")) {
                                return "devices_added";
                            }
                            if (id.endsWith(".forwarder.devices_deleted")) {
                                return "devices_deleted";
                            }
                            return id.endsWith(".reason.device_platform_unsupported.skipped")
                                    ? "device_platform_unsupported"
                                    : null;
                        })
                .forEach(sums::put);
        return sums;
    }
}
