package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.BatchBody;
import dev.cioforwarder.delivery.DeliveryRequest;
import dev.cioforwarder.delivery.RequestBatcher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The request batcher in Flink's operator harness, on the harness's manual processing-time clock:
 * what ends a request (the linger timer, the byte budget, the flush before a checkpoint barrier, an
 * operation that goes alone), that lanes keep users apart, and the checkpoint epoch each request
 * carries.
 */
class RequestBatcherOperatorTest {

    private static final long START = 1_000;
    private static final long LINGER_MS = 200;
    private static final int NO_BYTE_LIMIT = 1_000_000;

    /** An operation of {@code user} whose body is exactly {@code bytes} long. */
    private static CustomerioOperation op(String user, int n, int bytes) {
        String prefix = "{\"u\":\"" + user + "\",\"n\":" + n + ",\"p\":\"";
        String body = prefix + "x".repeat(bytes - prefix.length() - 2) + "\"}";
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = user;
        op.eventId = id(user, n);
        op.body = body.getBytes(StandardCharsets.UTF_8);
        assertThat(op.body).hasSize(bytes);
        return op;
    }

    /** How the tests name an operation (the harness hands on copies, so not by identity). */
    private static String id(String user, int n) {
        return user + "#" + n;
    }

    private static String id(CustomerioOperation op) {
        return op.eventId;
    }

    /** The operations of each request, by {@link #id}. */
    private static List<List<String>> ids(List<DeliveryRequest> requests) {
        return requests.stream()
                .map(r -> r.operations.stream().map(o -> o.eventId).toList())
                .toList();
    }

    private static CustomerioOperation op(String user, int n) {
        return op(user, n, 100);
    }

    private static OneInputStreamOperatorTestHarness<CustomerioOperation, DeliveryRequest> harness(
            RequestBatcherOperator operator) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(operator);
        h.setProcessingTime(START);
        h.open();
        return h;
    }

    private static RequestBatcherOperator v2(int maxRequestBytes, int lanes) {
        return new RequestBatcherOperator(
                maxRequestBytes, LINGER_MS, /* no checkpoint guard */ 0, lanes);
    }

    private static void send(
            OneInputStreamOperatorTestHarness<CustomerioOperation, DeliveryRequest> h,
            CustomerioOperation... ops)
            throws Exception {
        for (CustomerioOperation op : ops) {
            h.processElement(new StreamRecord<>(op));
        }
    }

    /** The requests emitted since the last call. */
    private static List<DeliveryRequest> drain(
            OneInputStreamOperatorTestHarness<CustomerioOperation, DeliveryRequest> h) {
        List<DeliveryRequest> out = h.extractOutputValues();
        h.getOutput().clear();
        return out;
    }

    /** Two users in different lanes of a batcher with {@code lanes} lanes. */
    private static String[] usersInDifferentLanes(int lanes) {
        RequestBatcher spread = new RequestBatcher(NO_BYTE_LIMIT, lanes);
        String first = "user-0";
        for (int i = 1; ; i++) {
            String other = "user-" + i;
            if (spread.laneOf(other) != spread.laneOf(first)) {
                return new String[] {first, other};
            }
        }
    }

    @Test
    void theLingerTimerEndsARequestLingerAfterItsFirstOperation() throws Exception {
        try (var h = harness(v2(NO_BYTE_LIMIT, 1))) {
            CustomerioOperation a = op("a", 1);
            CustomerioOperation b = op("b", 2);
            send(h, a);
            h.setProcessingTime(START + 50);
            send(h, b);
            assertThat(drain(h)).isEmpty();
            assertThat(h.getProcessingTimeService().getNumActiveTimers())
                    .as("one linger timer, not one per op")
                    .isOne();

            h.setProcessingTime(START + LINGER_MS - 1);
            assertThat(drain(h)).isEmpty();

            h.setProcessingTime(START + LINGER_MS);
            assertThat(ids(drain(h))).containsExactly(List.of(id(a), id(b)));
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isZero();

            // The next operation starts a new linger from its own arrival.
            CustomerioOperation c = op("c", 3);
            h.setProcessingTime(START + 1_000);
            send(h, c);
            h.setProcessingTime(START + 1_000 + LINGER_MS - 1);
            assertThat(drain(h)).isEmpty();
            h.setProcessingTime(START + 1_000 + LINGER_MS);
            assertThat(ids(drain(h))).containsExactly(List.of(id(c)));
        }
    }

    @Test
    void everythingBufferedIsEmittedBeforeTheBarrierAndLaterRequestsCarryTheCheckpoint()
            throws Exception {
        String[] users = usersInDifferentLanes(4);
        try (var h = harness(v2(NO_BYTE_LIMIT, 4))) {
            CustomerioOperation a1 = op(users[0], 1);
            CustomerioOperation b1 = op(users[1], 2);
            CustomerioOperation a2 = op(users[0], 3);
            send(h, a1, b1, a2);
            assertThat(drain(h)).isEmpty();

            h.prepareSnapshotPreBarrier(7);
            List<DeliveryRequest> beforeBarrier = drain(h);
            // Well before the linger would have ended them: the two lanes fit in one request,
            // each user's operations in order.
            assertThat(h.getProcessingTime()).isEqualTo(START);
            assertThat(ids(beforeBarrier)).hasSize(1);
            List<String> emitted = ids(beforeBarrier).get(0);
            assertThat(emitted).containsExactlyInAnyOrder(id(a1), id(a2), id(b1));
            assertThat(emitted.indexOf(id(a1))).isLessThan(emitted.indexOf(id(a2)));
            assertThat(beforeBarrier)
                    .as("emitted before checkpoint 7's barrier: none restored")
                    .allSatisfy(r -> assertThat(r.checkpointEpoch).isZero());

            // Nothing is left for the timer.
            h.setProcessingTime(START + 10 * LINGER_MS);
            assertThat(drain(h)).isEmpty();

            CustomerioOperation a3 = op(users[0], 4);
            send(h, a3);
            h.prepareSnapshotPreBarrier(8);
            assertThat(drain(h))
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.operations)
                                        .extracting(o -> o.eventId)
                                        .containsExactly(id(a3));
                                assertThat(r.checkpointEpoch)
                                        .as("emitted after checkpoint 7's barrier")
                                        .isEqualTo(7);
                            });
        }
    }

    @Test
    void requestsEmittedAfterARestoreCarryTheRestoredCheckpoint() throws Exception {
        OperatorSubtaskState checkpoint41;
        try (var before = harness(v2(NO_BYTE_LIMIT, 1))) {
            before.prepareSnapshotPreBarrier(41);
            checkpoint41 = before.snapshot(41, START);
        }
        try (var h = new OneInputStreamOperatorTestHarness<>(v2(NO_BYTE_LIMIT, 1))) {
            h.setRestoredCheckpointId(41);
            h.initializeState(checkpoint41);
            h.setProcessingTime(START);
            h.open();
            send(h, op("a", 1));
            h.setProcessingTime(START + LINGER_MS);
            assertThat(drain(h))
                    .singleElement()
                    .satisfies(r -> assertThat(r.checkpointEpoch).isEqualTo(41));
        }
    }

    @Test
    void theByteBudgetEndsARequestWithoutWaitingForTheLinger() throws Exception {
        // A body is {"batch":[...]} (12 bytes) around the operations and a comma between two:
        // two 100-byte operations make 213 bytes, three 314.
        try (var h = harness(v2(250, 1))) {
            CustomerioOperation a = op("a", 1);
            CustomerioOperation b = op("b", 2);
            CustomerioOperation c = op("c", 3);
            send(h, a, b);
            assertThat(drain(h)).isEmpty();

            send(h, c);
            assertThat(ids(drain(h))).containsExactly(List.of(id(a), id(b)));

            h.setProcessingTime(START + LINGER_MS);
            assertThat(ids(drain(h))).containsExactly(List.of(id(c)));
        }
    }

    @Test
    void lanesKeepUsersApartAndOneLaneKeepsThemTogether() throws Exception {
        String[] users = usersInDifferentLanes(2);
        CustomerioOperation a1 = op(users[0], 1);
        CustomerioOperation b1 = op(users[1], 2);
        CustomerioOperation a2 = op(users[0], 3);
        CustomerioOperation b2 = op(users[1], 4);

        CustomerioOperation a3 = op(users[0], 5);
        // A request holds two operations.
        int twoOperations = BatchBody.size(2, 200);

        try (var h = harness(v2(twoOperations, 2))) {
            send(h, a1, b1, a2, b2, a3);
            // The first lane is full when a3 comes: its request holds only its own user.
            assertThat(ids(drain(h))).containsExactly(List.of(id(a1), id(a2)));
            h.setProcessingTime(START + LINGER_MS);
            // The linger ends both lanes; they do not fit together.
            assertThat(ids(drain(h)))
                    .containsExactlyInAnyOrder(List.of(id(a3)), List.of(id(b1), id(b2)));
        }
        try (var h = harness(v2(twoOperations, 1))) {
            send(h, a1, b1, a2, b2, a3);
            assertThat(ids(drain(h)))
                    .containsExactly(List.of(id(a1), id(b1)), List.of(id(a2), id(b2)));
            h.setProcessingTime(START + LINGER_MS);
            assertThat(ids(drain(h))).containsExactly(List.of(id(a3)));
        }
        // Lanes that fit together go in one request when the linger ends them.
        try (var h = harness(v2(NO_BYTE_LIMIT, 2))) {
            send(h, a1, b1, a2, b2);
            h.setProcessingTime(START + LINGER_MS);
            List<List<String>> requests = ids(drain(h));
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).stream().filter(id -> id.startsWith(users[0] + "#")))
                    .containsExactly(id(a1), id(a2));
            assertThat(requests.get(0).stream().filter(id -> id.startsWith(users[1] + "#")))
                    .containsExactly(id(b1), id(b2));
        }
    }

    @Test
    void anOperationThatGoesAloneFollowsItsUsersBufferedOperations() throws Exception {
        String[] users = usersInDifferentLanes(2);
        try (var h = harness(v2(NO_BYTE_LIMIT, 2))) {
            CustomerioOperation a1 = op(users[0], 1);
            CustomerioOperation b1 = op(users[1], 2);
            CustomerioOperation alone = op(users[0], 3);
            alone.method = "PUT";
            alone.path = "/api/v1/customers/x/devices";
            send(h, a1, b1, alone);

            assertThat(ids(drain(h))).containsExactly(List.of(id(a1)), List.of(id(alone)));
            h.setProcessingTime(START + LINGER_MS);
            assertThat(ids(drain(h))).containsExactly(List.of(id(b1)));
        }
    }

    @Test
    void v1OperationsEachNameTheirPathAndAreEachARequestAtOnce() throws Exception {
        // The batcher does not read the API mode: a v1 encoding always carries its own path.
        try (var h = harness(new RequestBatcherOperator(NO_BYTE_LIMIT, LINGER_MS, 0, 4))) {
            CustomerioOperation a = op("a", 1);
            a.method = "PUT";
            a.path = "/api/v1/customers/a";
            CustomerioOperation b = op("a", 2);
            b.method = "POST";
            b.path = "/api/v1/customers/a/events";
            send(h, a, b);
            assertThat(ids(drain(h))).containsExactly(List.of(id(a)), List.of(id(b)));
            assertThat(h.getProcessingTimeService().getNumActiveTimers()).isZero();
        }
    }

    @Test
    void requestsAndTheirSizesAreCounted() throws Exception {
        HarnessMetrics metrics = new HarnessMetrics();
        try (MockEnvironment env = metrics.environment();
                var h = new OneInputStreamOperatorTestHarness<>(v2(NO_BYTE_LIMIT, 1), env)) {
            h.setProcessingTime(START);
            h.open();
            List<CustomerioOperation> ops = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ops.add(op("u" + i, i));
            }
            send(h, ops.toArray(new CustomerioOperation[0]));
            h.prepareSnapshotPreBarrier(1);
            send(h, op("u9", 9));
            h.prepareSnapshotPreBarrier(2);

            assertThat(drain(h)).extracting(DeliveryRequest::size).containsExactly(3, 1);
            assertThat(metrics.count("forwarder", "requests_built")).isEqualTo(2);
        }
    }
}
