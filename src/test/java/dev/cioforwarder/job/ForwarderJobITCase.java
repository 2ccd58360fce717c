package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Fixtures;
import dev.cioforwarder.testing.Jobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production topology ({@link ForwarderJob#build}) end to end: a real Kafka broker, a Flink
 * MiniCluster with RocksDB and exactly-once checkpoints, and the Customer.io simulator over HTTP.
 */
class ForwarderJobITCase extends JobTestSupport {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private void produceFixtures() throws Exception {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (String name : Fixtures.ALL) {
            byte[] value = Fixtures.bytes(name);
            String mpid = MAPPER.readTree(value).get("mpid").asText();
            records.add(new AbstractMap.SimpleEntry<>(mpid, value));
        }
        kafka.produce(topic, records);
    }

    @Test
    void forwardsTheFixturesToCustomerioExactlyAsTheRulesSay() throws Exception {
        produceFixtures();
        JobClient job = startJob(settings());
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.summary().events() >= 5 && customerio.people().size() >= 3,
                    () -> customerio.summary().toString());
            // The last fixture (an attribute update of cust-1001) has no event: wait for it too.
            Await.until(
                    Duration.ofSeconds(30),
                    () ->
                            customerio
                                    .personById("cust-1001")
                                    .map(p -> "King".equals(text(p.attributes().get("last_name"))))
                                    .orElse(false),
                    () -> customerio.people().toString());
        } finally {
            Jobs.cancelAndWait(job);
        }

        Map<String, Person> people =
                customerio.people().stream()
                        .collect(
                                Collectors.toMap(p -> p.id() != null ? p.id() : p.email(), p -> p));
        assertThat(people.keySet())
                .containsExactlyInAnyOrder("cust-1001", "grace@example.org", "cust-2002");

        Person ada = people.get("cust-1001");
        assertThat(ada.email()).isEqualTo("ada@example.com");
        assertThat(attributes(ada))
                .containsEntry("first_name", "\"Ada\"")
                .containsEntry("last_name", "\"King\"")
                .containsEntry("city", "\"London\"")
                .containsEntry("plan", "\"enterprise\"")
                .containsEntry("lifetime_orders", "12")
                // Removed in mParticle (deleted_user_attributes), so removed in Customer.io.
                .doesNotContainKey("favourite_genres");
        assertThat(ada.unsubscribed()).isFalse();

        Person grace = people.get("grace@example.org");
        assertThat(grace.id()).isNull();
        assertThat(attributes(grace))
                .containsEntry("first_name", "\"Grace\"")
                .containsEntry("last_name", "\"Hopper\"");

        Person alan = people.get("cust-2002");
        assertThat(alan.unsubscribed()).isTrue();
        assertThat(attributes(alan)).containsEntry("first_name", "\"Alan\"");

        List<String> events =
                customerio.events().stream()
                        .map(ForwarderJobITCase::describe)
                        .sorted()
                        .collect(Collectors.toList());
        assertThat(events)
                .containsExactly(
                        "email:grace@example.org event Signed_Up 1764320999 {\"source\":\"ad\"}",
                        "email:grace@example.org screen /pricing 1764320999 {}",
                        "id:cust-1001 event Add_To_Cart 1764320005"
                                + " {\"sku\":\"A-77\",\"price\":19.99,\"quantity\":\"2\"}",
                        "id:cust-1001 screen Home_Screen 1764320002 {\"referrer\":\"push\"}",
                        "id:cust-2002 event Viewed_Settings 1764321990 {}");
        assertThat(customerio.summary().rejectedOperations()).isZero();
        assertThat(customerio.summary().duplicateEventsIgnored()).isZero();

        List<ConsumerRecord<byte[], byte[]>> deadLetters =
                kafka.readCommitted(deadLetterTopic, 0, Duration.ofSeconds(2));
        assertThat(deadLetters).isEmpty();
    }

    @Test
    void sendsOneRequestPerOperationInV1Mode() throws Exception {
        produceFixtures();
        JobClient job = startJob(settings("customerio.api-mode", "v1"));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.summary().events() >= 5,
                    () -> customerio.summary().toString());
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(customerio.events()).allSatisfy(e -> assertThat(e.api()).isEqualTo("v1"));
        assertThat(customerio.summary().rejectedOperations()).isZero();
        // Every track request held exactly one operation (the start-up credentials check holds
        // none).
        assertThat(customerio.requests())
                .filteredOn(r -> !r.path().equals("/api/v1/accounts/region"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.operations()).isEqualTo(1));
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndTheGoodOnesAreDelivered() throws Exception {
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        records.add(
                new AbstractMap.SimpleEntry<>("1", "{not json".getBytes(StandardCharsets.UTF_8)));
        records.add(
                new AbstractMap.SimpleEntry<>(
                        "2",
                        ("{\"mpid\":2,\"user_identities\":{\"customer_id\":\"c-2\"},\"events\":["
                             + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\""
                                        + "x".repeat(101)
                                        + "\",\"source_message_id\":\"long\"}},"
                                        + "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"fine\",\"source_message_id\":\"ok\"}}]}")
                                .getBytes(StandardCharsets.UTF_8)));
        kafka.produce(topic, records);
        JobClient job = startJob(settings());
        List<ConsumerRecord<byte[], byte[]>> deadLetters;
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.summary().events() >= 1,
                    () -> customerio.summary().toString());
            deadLetters = kafka.readCommitted(deadLetterTopic, 2, Duration.ofMinutes(1));
        } finally {
            Jobs.cancelAndWait(job);
        }
        assertThat(customerio.events()).extracting(StoredEvent::name).containsExactly("fine");

        Map<String, JsonNode> byReason = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : deadLetters) {
            JsonNode letter = MAPPER.readTree(r.value());
            byReason.put(letter.get("reason").asText(), letter);
        }
        assertThat(byReason.keySet())
                .containsExactlyInAnyOrder("invalid_json", "event_name_too_long");
        JsonNode invalid = byReason.get("invalid_json");
        assertThat(invalid.get("stage").asText()).isEqualTo("parse");
        assertThat(invalid.get("payload_text").asText()).isEqualTo("{not json");
        assertThat(invalid.get("source").get("topic").asText()).isEqualTo(topic);
        JsonNode tooLong = byReason.get("event_name_too_long");
        assertThat(tooLong.get("stage").asText()).isEqualTo("mapping");
        assertThat(tooLong.get("mpid").asText()).isEqualTo("2");
        assertThat(tooLong.get("detail").asText()).contains("101 bytes");
    }

    private static Map<String, String> attributes(Person person) {
        Map<String, String> out = new HashMap<>();
        person.attributes().forEach((k, v) -> out.put(k, v.toString()));
        return out;
    }

    private static String text(Object value) {
        if (value instanceof JsonNode) {
            return ((JsonNode) value).asText();
        }
        return value == null ? null : value.toString();
    }

    private static String describe(StoredEvent e) {
        String person = e.personId() != null ? "id:" + e.personId() : "email:" + e.personEmail();
        return person + " " + e.type() + " " + e.name() + " " + e.timestamp() + " " + e.data();
    }
}
