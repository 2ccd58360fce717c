package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.settings.ForwarderSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.SideOutputTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;
import org.junit.jupiter.api.Test;

/**
 * The job's topology, built on in-memory ends (no broker) and read back from the environment: every
 * operator keeps its uid, so savepoints keep restoring, and the batcher hands its requests to
 * delivery without a copy.
 */
class ForwarderJobTest {

    private static ForwarderSettings settings(String... overrides) {
        Map<String, String> s = new HashMap<>();
        s.put("kafka.bootstrap-servers", "localhost:1");
        s.put("kafka.topic", "mparticle-batches");
        s.put("customerio.site-id", "site");
        for (int i = 0; i < overrides.length; i += 2) {
            s.put(overrides[i], overrides[i + 1]);
        }
        return ForwarderSettings.fromMap(s);
    }

    private static ForwarderEnds withErasures() {
        return InMemoryEnds.empty().withErasures(InMemoryEnds.records(), InMemoryEnds.discard());
    }

    /** Every transformation of the topology built on {@code ends}, sources first. */
    private static Set<Transformation<?>> built(ForwarderEnds ends, ForwarderJob.Delivery delivery)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ForwarderJob.build(env, settings(), ends, delivery);
        Set<Transformation<?>> all = new LinkedHashSet<>();
        for (Transformation<?> sink : env.getTransformations()) {
            all.addAll(sink.getTransitivePredecessors());
        }
        // And Flink turns it into a stream graph: with generated uids off, it refuses an operator
        // without one.
        assertThat(env.getStreamGraph().getStreamNodes()).isNotEmpty();
        return all;
    }

    private static Set<Transformation<?>> built(ForwarderEnds ends) throws Exception {
        return built(ends, ForwarderJob.Delivery.CUSTOMERIO);
    }

    private static Transformation<?> withUid(Set<Transformation<?>> all, String uid) {
        List<Transformation<?>> found = all.stream().filter(t -> uid.equals(t.getUid())).toList();
        assertThat(found).as("operators with uid %s", uid).hasSize(1);
        return found.get(0);
    }

    /** The uids of operators (a keyBy, a union or a side output is none and has none). */
    private static Set<String> uids(Set<Transformation<?>> all) {
        return all.stream()
                .filter(
                        t ->
                                !(t instanceof PartitionTransformation)
                                        && !(t instanceof UnionTransformation)
                                        && !(t instanceof SideOutputTransformation))
                .map(Transformation::getUid)
                .collect(Collectors.toSet());
    }

    /** Every uid {@link OperatorIds} declares. */
    private static Set<String> declaredUids() throws IllegalAccessException {
        Set<String> ids = new LinkedHashSet<>();
        for (Field f : OperatorIds.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                ids.add((String) f.get(null));
            }
        }
        return ids;
    }

    @Test
    void theBatcherHandsItsRequestsOnWithoutACopy() throws Exception {
        Transformation<?> batcher = withUid(built(InMemoryEnds.empty()), OperatorIds.BATCHER);
        assertThat(batcher.getName()).isEqualTo("Batch requests");
        assertThat(batcher.getOutputType()).isInstanceOf(HandedOverTypeInfo.class);
        assertThat(batcher.getOutputType().getTypeClass()).isEqualTo(DeliveryRequest.class);
    }

    @Test
    void parsedBatchesAndErasureRequestsCrossTheShuffleWithTheBatchSerializer() throws Exception {
        Set<Transformation<?>> all = built(withErasures());
        for (String uid : List.of(OperatorIds.PARSER, OperatorIds.ERASURE_PARSER)) {
            assertThat(withUid(all, uid).getOutputType())
                    .as(uid)
                    .isEqualTo(MParticleBatchTypeInfo.INSTANCE);
        }
    }

    @Test
    void everyStatefulOperatorKeepsItsUid() throws Exception {
        Set<Transformation<?>> all = built(withErasures());
        // The operators that keep state (offsets, keyed state, the AsyncIO queue, transactions),
        // by their names.
        Map<String, String> nameByUid =
                Map.ofEntries(
                        Map.entry(OperatorIds.SOURCE, "mParticle batches (in memory)"),
                        Map.entry(OperatorIds.ERASURE_SOURCE, "Erasure requests (in memory)"),
                        Map.entry(OperatorIds.FEEDBACK_SOURCE, "Delivery feedback (in memory)"),
                        Map.entry(OperatorIds.USER_STATE, "Per-user state and mapping rules"),
                        Map.entry(OperatorIds.DEVICE_TOKENS, "Push token owners"),
                        Map.entry(OperatorIds.DEVICE_VISITORS, "Device visitors"),
                        Map.entry(OperatorIds.EMAIL_OWNERS, "Email owners"),
                        Map.entry(OperatorIds.DELIVERY, "Deliver to Customer.io"),
                        Map.entry(OperatorIds.DEAD_LETTER_SINK, "Dead letters (in memory)"),
                        Map.entry(OperatorIds.FEEDBACK_SINK, "Delivery feedback (in memory)"),
                        Map.entry(
                                OperatorIds.ERASURE_OUTCOME_SINK, "Erasure outcomes (in memory)"));
        nameByUid.forEach(
                (uid, name) -> assertThat(withUid(all, uid).getName()).as(uid).isEqualTo(name));
    }

    @Test
    void everyOperatorHasADeclaredUidAndEveryDeclaredUidAnOperator() throws Exception {
        Set<String> declared = declaredUids();
        // Not an operator's: the erasure requests reach the device index by a broadcast, which
        // has none.
        declared.remove(OperatorIds.ERASED_MPIDS);

        assertThat(uids(built(withErasures()))).isEqualTo(declared);

        Set<String> withoutErasures = new LinkedHashSet<>(declared);
        withoutErasures.removeAll(
                Set.of(
                        OperatorIds.ERASURE_SOURCE,
                        OperatorIds.ERASURE_PARSER,
                        OperatorIds.DELIVERY_ERASURE_OUTCOMES,
                        OperatorIds.ERASURE_OUTCOME_SINK));
        assertThat(uids(built(InMemoryEnds.empty()))).isEqualTo(withoutErasures);
    }

    @Test
    void theBenchmarksDiscardingDeliveryTakesDeliverysUid() throws Exception {
        Set<Transformation<?>> all = built(InMemoryEnds.empty(), ForwarderJob.Delivery.DISCARD);
        assertThat(withUid(all, OperatorIds.DELIVERY).getName())
                .isEqualTo("Discard requests (benchmark)");
        assertThat(uids(all)).isEqualTo(uids(built(InMemoryEnds.empty())));
    }

    @Test
    void aTransactionTimeoutWithinTheCheckpointTimeoutIsRefused() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getCheckpointConfig().setCheckpointTimeout(600_000);
        assertThatThrownBy(
                        () ->
                                ForwarderJob.build(
                                        env,
                                        settings("kafka.property.transaction.timeout.ms", "60000"),
                                        InMemoryEnds.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction.timeout.ms (60000 ms)")
                .hasMessageContaining("execution.checkpointing.timeout (600000 ms)");
    }
}
