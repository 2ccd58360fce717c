package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cioforwarder.customerio.Ulid;
import dev.cioforwarder.simulator.StoredEvent;
import dev.cioforwarder.testing.Await;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * customerio.forward-commerce-events through the production job (on in-memory topics) on a
 * MiniCluster with RocksDB, and the simulator validating every operation against the official Track
 * API description: each kind of commerce event arrives on the person as a named event with its
 * deterministic id, a purchase too big for a v2 operation arrives with its products trimmed and
 * counted, an unknown action is skipped, and the metrics say so. With the setting off the same
 * batch sends only its custom event and counts the commerce event as not forwarded.
 */
class CommerceEventsITCase extends JobTestSupport {

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
                            .setConfiguration(fastMetrics())
                            .build());

    private static final long T0 = 1_764_400_000_000L;
    private static final long MPID = 9101;
    private static final int BIG_BASKET = 600;

    private static String commerce(String smid, long offsetMs, String fields) {
        return "{\"event_type\":\"commerce_event\",\"data\":{\"source_message_id\":\""
                + smid
                + "\",\"timestamp_unixtime_ms\":"
                + (T0 + offsetMs)
                + ","
                + fields
                + "}}";
    }

    private static String bigBasket(long seed) {
        System.out.println("CommerceEventsITCase basket seed " + seed);
        Random random = new Random(seed);
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < BIG_BASKET; i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"SKU-")
                    .append(i)
                    .append("\",\"name\":\"")
                    .append("Item ".repeat(1 + random.nextInt(12)).strip())
                    .append("\",\"price\":\"")
                    .append(1 + random.nextInt(5_000) / 100.0)
                    .append("\",\"quantity\":")
                    .append(1 + random.nextInt(3))
                    .append('}');
        }
        return json.append(']').toString();
    }

    /** One batch of the user with every kind of commerce event, between two custom events. */
    private static Map.Entry<String, byte[]> batch() {
        String events =
                String.join(
                        ",",
                        "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Opened Shop\","
                                + "\"source_message_id\":\"c-1\",\"timestamp_unixtime_ms\":"
                                + (T0 - 10_000)
                                + "}}",
                        commerce(
                                "view-1",
                                -9_000,
                                "\"product_impressions\":[{\"product_impression_list\":\"home\","
                                        + "\"products\":[{\"id\":\"SKU-1\",\"position\":1}]}]"),
                        commerce(
                                "promo-1",
                                -8_000,
                                "\"promotion_action\":{\"action\":\"click\",\"promotions\":"
                                        + "[{\"id\":\"winter\",\"creative\":\"banner\"}]}"),
                        commerce(
                                "cart-1",
                                -7_000,
                                "\"currency_code\":\"EUR\",\"product_action\":{\"action\":"
                                        + "\"add_to_cart\",\"products\":[{\"id\":\"SKU-1\","
                                        + "\"price\":24,\"quantity\":2}]}"),
                        commerce(
                                "buy-1",
                                -6_000,
                                "\"currency_code\":\"EUR\",\"custom_attributes\":{\"channel\":"
                                    + "\"app\"},\"product_action\":{\"action\":\"purchase\","
                                    + "\"transaction_id\":\"txn-1\",\"total_amount\":\"48.00\","
                                    + "\"tax_amount\":8,\"products\":[{\"id\":\"SKU-1\","
                                    + "\"price\":24,\"quantity\":2,\"total_product_amount\":48}]}"),
                        commerce(
                                "buy-big",
                                -5_000,
                                "\"product_action\":{\"action\":\"purchase\",\"transaction_id\":"
                                        + "\"txn-2\",\"products\":"
                                        + bigBasket(20251202L)
                                        + "}"),
                        commerce("odd-1", -4_000, "\"product_action\":{\"action\":\"teleport\"}"),
                        "{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Left Shop\","
                                + "\"source_message_id\":\"c-2\",\"timestamp_unixtime_ms\":"
                                + (T0 - 1_000)
                                + "}}");
        String json =
                "{\"mpid\":"
                        + MPID
                        + ",\"timestamp_unixtime_ms\":"
                        + T0
                        + ",\"user_identities\":[{\"identity_type\":\"customer_id\","
                        + "\"identity\":\"cust-9101\"}],\"events\":["
                        + events
                        + "]}";
        return new AbstractMap.SimpleEntry<>(
                Long.toString(MPID), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyKindOfCommerceEventReachesThePerson(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        produce(List.of(batch()));
        JobClient job = startJob(settings());
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() == 7,
                    () -> customerio.events().toString());
            int trimmed = BIG_BASKET - bigPurchase().data().get("products").size();
            assertMetrics(
                    cluster,
                    job,
                    Map.of(
                            "commerce_events_forwarded", 5L,
                            "commerce_products_trimmed", (long) trimmed,
                            "events_forwarded", 2L,
                            "commerce_action_unknown", 1L,
                            "commerce_event", 0L));
        } finally {
            job.cancel().get();
        }
        List<StoredEvent> events = customerio.events();
        assertThat(events).extracting(StoredEvent::personId).containsOnly("cust-9101");
        assertThat(events)
                .extracting(StoredEvent::name)
                .containsExactlyInAnyOrder(
                        "Opened_Shop",
                        "product_impression",
                        "promotion_click",
                        "add_to_cart",
                        "purchase",
                        "purchase",
                        "Left_Shop");
        Ulid ulid = new Ulid();
        StoredEvent purchase = event("purchase", "txn-1");
        assertThat(purchase.id()).isEqualTo(ulid.of(T0 - 6_000, "9101", "smid:buy-1"));
        assertThat(purchase.timestamp()).isEqualTo((T0 - 6_000) / 1000);
        // The amount arrived as the string "48.00" and is sent as a number.
        assertThat(purchase.data().get("total_amount").isNumber()).isTrue();
        assertThat(purchase.data().get("total_amount").asDouble()).isEqualTo(48.0);
        com.fasterxml.jackson.databind.node.ObjectNode rest = purchase.data().deepCopy();
        rest.remove("total_amount");
        assertThat(rest.toString())
                .isEqualTo(
                        "{\"transaction_id\":\"txn-1\",\"tax_amount\":8,"
                                + "\"currency_code\":\"EUR\",\"channel\":\"app\",\"products\":"
                                + "[{\"id\":\"SKU-1\",\"price\":24,\"quantity\":2,"
                                + "\"total_product_amount\":48}]}");
        assertThat(event("promotion_click", null).data().toString())
                .isEqualTo("{\"promotions\":[{\"id\":\"winter\",\"creative\":\"banner\"}]}");
        assertThat(event("product_impression", null).data().get("impressions").toString())
                .isEqualTo(
                        "[{\"product_impression_list\":\"home\",\"products\":[{\"id\":\"SKU-1\","
                                + "\"position\":1}]}]");

        // Over 32 KB as a v2 operation: products dropped from the end, the transaction whole.
        StoredEvent big = bigPurchase();
        assertThat(big.id()).isEqualTo(ulid.of(T0 - 5_000, "9101", "smid:buy-big"));
        JsonNode products = big.data().get("products");
        assertThat(products.size()).isBetween(1, BIG_BASKET - 1);
        for (int i = 0; i < products.size(); i++) {
            assertThat(products.get(i).get("id").asText()).isEqualTo("SKU-" + i);
            assertThat(products.get(i).get("price").isNumber()).isTrue();
        }
        assertThat(big.data().get("products_trimmed").asInt())
                .isEqualTo(BIG_BASKET - products.size());
        assertThat(customerio.summary().rejectedOperations()).isZero();
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void withTheSettingOffOnlyTheCustomEventsGoAndCommerceIsCountedNotForwarded(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        produce(List.of(batch()));
        JobClient job = startJob(settings("customerio.forward-commerce-events", "false"));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() == 2,
                    () -> customerio.events().toString());
            assertMetrics(
                    cluster,
                    job,
                    Map.of(
                            "commerce_events_forwarded", 0L,
                            "commerce_products_trimmed", 0L,
                            "events_forwarded", 2L,
                            "commerce_action_unknown", 0L,
                            "commerce_event", 6L));
        } finally {
            job.cancel().get();
        }
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactlyInAnyOrder("Opened_Shop", "Left_Shop");
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    /** Semantic names and a prefix: commerce events no app's own custom event is called. */
    @Test
    void semanticNamesWithAPrefixReachThePersonAndCustomEventsKeepTheirs() throws Exception {
        produce(List.of(batch()));
        JobClient job =
                startJob(
                        settings(
                                "customerio.commerce-event-names",
                                "semantic",
                                "customerio.commerce-event-prefix",
                                "shop_"));
        try {
            Await.until(
                    Duration.ofMinutes(2),
                    () -> customerio.events().size() == 7,
                    () -> customerio.events().toString());
            Thread.sleep(1_000);
        } finally {
            job.cancel().get();
        }
        assertThat(customerio.events())
                .extracting(StoredEvent::name)
                .containsExactlyInAnyOrder(
                        "Opened_Shop",
                        "shop_Product List Viewed",
                        "shop_Promotion Clicked",
                        "shop_Product Added",
                        "shop_Order Completed",
                        "shop_Order Completed",
                        "Left_Shop");
        // The same event ids as under the default names: only the name differs.
        assertThat(customerio.events())
                .filteredOn(e -> e.name().equals("shop_Order Completed"))
                .extracting(StoredEvent::id)
                .contains(new Ulid().of(T0 - 6_000, "9101", "smid:buy-1"));
        assertThat(customerio.summary().rejectedOperations()).isZero();
        assertThat(deadLetters(0, Duration.ofSeconds(2))).isEmpty();
    }

    private StoredEvent bigPurchase() {
        return event("purchase", "txn-2");
    }

    private StoredEvent event(String name, String transactionId) {
        return customerio.events().stream()
                .filter(e -> e.name().equals(name))
                .filter(
                        e ->
                                transactionId == null
                                        || transactionId.equals(
                                                e.data().path("transaction_id").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + transactionId));
    }

    /**
     * The job's counters, summed over operators and subtasks: {@code commerce_event} is {@code
     * events_not_forwarded{event_type="commerce_event"}}, {@code commerce_action_unknown} the skip
     * reason.
     */
    private static void assertMetrics(
            MiniCluster cluster, JobClient job, Map<String, Long> expected) throws Exception {
        URI rest = cluster.getRestAddress().get();
        String jobPath = "/jobs/" + job.getJobID();
        AtomicReference<Object> last = new AtomicReference<>();
        Await.until(
                Duration.ofSeconds(30),
                () -> {
                    try {
                        Map<String, Long> m = metrics(rest, jobPath, expected.keySet());
                        last.set(m);
                        return m.equals(expected);
                    } catch (Exception e) {
                        last.set(e);
                        return false;
                    }
                },
                () -> "metrics " + last.get() + ", expected " + expected);
    }

    private static Map<String, Long> metrics(URI rest, String jobPath, java.util.Set<String> wanted)
            throws Exception {
        Map<String, Long> sums = new TreeMap<>();
        for (String name : wanted) {
            sums.put(name, 0L);
        }
        metricSums(rest, jobPath, id -> name(id, wanted)).forEach(sums::put);
        return sums;
    }

    /** Which wanted counter a metric id is, or null. */
    private static String name(String id, java.util.Set<String> wanted) {
        if (id.endsWith(".event_type.commerce_event.events_not_forwarded")) {
            return wanted.contains("commerce_event") ? "commerce_event" : null;
        }
        if (id.endsWith(".reason.commerce_action_unknown.skipped")) {
            return wanted.contains("commerce_action_unknown") ? "commerce_action_unknown" : null;
        }
        for (String name : wanted) {
            if (id.endsWith(".forwarder." + name)) {
                return name;
            }
        }
        return null;
    }
}
