package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.simulator.Person;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import dev.cioforwarder.testing.Jobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two customers (two MPIDs, two Customer IDs) with one email, through the job (on in-memory topics)
 * and a simulator that re-keys a person as Customer.io's identify description says: an identify by
 * an id nobody has, carrying an email a person has, gives that person the new id. Without {@code
 * customerio.guard-shared-emails} the second customer takes the first one's person; with it, the
 * email index keeps each customer on their own person.
 */
class SharedEmailITCase extends JobTestSupport {

    @Override
    protected boolean onBroker() {
        return false;
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String EMAIL = "sam@example.com";

    private static Map.Entry<String, byte[]> batch(
            long mpid, String customerId, long time, String eventName) {
        String json =
                "{\"mpid\":"
                        + mpid
                        + ",\"timestamp_unixtime_ms\":"
                        + time
                        + ",\"user_identities\":{\"customer_id\":\""
                        + customerId
                        + "\",\"email\":\""
                        + EMAIL
                        + "\"},\"user_attributes\":{\"plan\":\""
                        + eventName
                        + "\"},\"events\":[{\"event_type\":\"custom_event\",\"data\":{"
                        + "\"event_name\":\""
                        + eventName
                        + "\",\"source_message_id\":\""
                        + eventName
                        + "\",\"timestamp_unixtime_ms\":"
                        + time
                        + "}}]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(mpid), json.getBytes(StandardCharsets.UTF_8));
    }

    private void produceAndAwait(Map.Entry<String, byte[]> record, String eventName)
            throws Exception {
        produce(List.of(record));
        Await.until(
                Duration.ofMinutes(2),
                () -> customerio.events().stream().anyMatch(e -> e.name().equals(eventName)),
                () -> customerio.events().toString());
    }

    private String cioIdOfEvent(String eventName) {
        return customerio.events().stream()
                .filter(e -> e.name().equals(eventName))
                .map(StoredEvent::cioId)
                .findFirst()
                .orElseThrow();
    }

    @ParameterizedTest(name = "guard-shared-emails={0}")
    @ValueSource(booleans = {true, false})
    void aSecondCustomerWithTheSameEmailDoesNotTakeTheFirstOnesPerson(boolean guard)
            throws Exception {
        long t = 1_764_400_000_000L;
        JobClient job =
                startJob(settings("customerio.guard-shared-emails", Boolean.toString(guard)));
        try {
            produceAndAwait(batch(31, "c-31", t, "First_Signed_Up"), "First_Signed_Up");
            if (guard) {
                // The email follows once the index answered: wait until the person has it.
                Await.until(
                        Duration.ofMinutes(1),
                        () ->
                                customerio
                                        .personById("c-31")
                                        .map(p -> EMAIL.equals(p.email()))
                                        .orElse(false),
                        () -> customerio.people().toString());
            }
            produceAndAwait(batch(32, "c-32", t + 60_000, "Second_Signed_Up"), "Second_Signed_Up");
            produceAndAwait(batch(31, "c-31", t + 120_000, "First_Came_Back"), "First_Came_Back");
        } finally {
            Jobs.cancelAndWait(job);
        }
        String firstPerson = cioIdOfEvent("First_Signed_Up");
        if (!guard) {
            // What the guard is for: Customer.io gave the first customer's person the second id,
            // so the second customer's activity joined the first one's person; the first
            // customer's next identify took the id back, leaving the second one without a person.
            assertThat(cioIdOfEvent("Second_Signed_Up")).isEqualTo(firstPerson);
            assertThat(customerio.personById("c-32")).isEmpty();
            assertThat(customerio.personById("c-31").map(Person::cioId)).contains(firstPerson);
            return;
        }
        Person first = customerio.personById("c-31").orElseThrow();
        Person second = customerio.personById("c-32").orElseThrow();
        assertThat(first.cioId()).isEqualTo(firstPerson);
        assertThat(first.email()).isEqualTo(EMAIL);
        assertThat(second.cioId()).isNotEqualTo(firstPerson);
        assertThat(second.email()).as("the second customer's person has no email").isNull();
        assertThat(cioIdOfEvent("First_Came_Back")).isEqualTo(firstPerson);
        assertThat(cioIdOfEvent("Second_Signed_Up")).isEqualTo(second.cioId());
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }
}
