package dev.cioforwarder.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.job.JobTestSupport;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Turning push devices on while upgrading from the last savepoint fixture without them: the new
 * {@code device-tokens} operator starts empty, the restored users start without devices (the new
 * state field's default), and their restored state decides where devices go: a known user's token
 * is added to the person Customer.io knows, an opted-out user's is held, and a user who was
 * anonymous at the savepoint gets theirs after their first identify.
 */
class PushDevicesUpgradeITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static Map.Entry<String, byte[]> record(long mpid, String json) {
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    private Path copyOf(String fixture) throws IOException {
        return SavepointFixtures.copyOf(fixture, dir);
    }

    /** Customer.io as the fixture job left Ada (this simulator starts empty). */
    private static void seedAda() throws Exception {
        String basic =
                Base64.getEncoder()
                        .encodeToString((SITE_ID + ":" + API_KEY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        customerio.baseUrl()
                                                                + "/api/v1/customers/cust-1001"))
                                        .header("Authorization", "Basic " + basic)
                                        .PUT(
                                                HttpRequest.BodyPublishers.ofString(
                                                        "{\"email\":\"ada@example.com\","
                                                                + "\"_timestamp\":1764324000}"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void restoredUsersGetTheirDevicesAsTheirRestoredStateSays() throws Exception {
        // The last state version from before push devices existed: what an upgrade that turns
        // them on restores.
        String fixture = "state-v3";
        kafka.recreateTopic(SavepointFixtures.TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.DEAD_LETTER_TOPIC, 1);
        kafka.recreateTopic(SavepointFixtures.FEEDBACK_TOPIC, 1);
        // What the old job read (the restored offsets point past it), then the new batches.
        kafka.produce(SavepointFixtures.TOPIC, SavepointFixtures.before(fixture));
        List<Map.Entry<String, byte[]>> after = new ArrayList<>();
        after.add(
                record(
                        SavepointFixtures.ADA,
                        "{\"mpid\":8315498751227740121,\"timestamp_unixtime_ms\":1764500000000,"
                            + "\"user_identities\":{\"customer_id\":\"cust-1001\"},"
                            + "\"device_info\":{\"platform\":\"iOS\",\"push_token\":\"apns-ada\"}}"));
        // Alan was opted out at the savepoint: his device waits.
        after.add(
                record(
                        SavepointFixtures.ALAN,
                        "{\"mpid\":-7636538281262557041,\"timestamp_unixtime_ms\":1764500000000,"
                            + "\"user_identities\":{\"customer_id\":\"cust-2002\"},"
                            + "\"device_info\":{\"platform\":\"Android\",\"push_token\":\"fcm-alan\"}}"));
        // Nobody had no identity at the savepoint: the device follows the identify.
        after.add(
                record(
                        SavepointFixtures.NOBODY,
                        "{\"mpid\":4411223344556677889,\"timestamp_unixtime_ms\":1764500000000,"
                            + "\"device_info\":{\"platform\":\"iOS\",\"push_token\":\"apns-nobody\"}}"));
        after.add(
                record(
                        SavepointFixtures.NOBODY,
                        "{\"mpid\":4411223344556677889,\"timestamp_unixtime_ms\":1764500001000,"
                                + "\"user_identities\":{\"customer_id\":\"cust-4004\"},"
                                + "\"device_info\":{\"platform\":\"iOS\"}}"));
        kafka.produce(SavepointFixtures.TOPIC, after);
        seedAda();

        List<String> settings = new ArrayList<>(List.of(SavepointFixtures.SETTINGS));
        settings.addAll(List.of("customerio.forward-devices", "true"));
        JobClient job = startJob(settings(settings.toArray(new String[0])), 2, copyOf(fixture));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> devices("cust-1001").size() == 1 && devices("cust-4004").size() == 1,
                    () -> customerio.people().toString());
            Thread.sleep(3_000);
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(devices("cust-1001")).containsExactly("apns-ada ios");
        assertThat(devices("cust-4004")).containsExactly("apns-nobody ios");
        assertThat(customerio.people())
                .as("Alan's device is held while he is opted out")
                .allSatisfy(p -> assertThat(p.devices().toString()).doesNotContain("fcm-alan"));
        assertThat(customerio.summary().peopleCreatedByDevices()).isZero();
        assertThat(customerio.summary().rejectedOperations()).isZero();
        assertThat(
                        kafka.readCommitted(
                                SavepointFixtures.DEAD_LETTER_TOPIC, 0, Duration.ofSeconds(2)))
                .isEmpty();
    }

    private static List<String> devices(String id) {
        return customerio.personById(id).map(Person::devices).orElse(List.of()).stream()
                .map(d -> d.get("token").asText() + " " + d.get("platform").asText())
                .collect(Collectors.toList());
    }
}
