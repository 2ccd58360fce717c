package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cioforwarder.customerio.CustomerioOperation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestBatcherTest {

    private static CustomerioOperation op(int size, int n) {
        CustomerioOperation op = new CustomerioOperation();
        String prefix = "{\"n\":" + n + ",\"p\":\"";
        String body = prefix + "x".repeat(size - prefix.length() - 2) + "\"}";
        op.body = body.getBytes(StandardCharsets.UTF_8);
        op.userKey = "u" + n;
        return op;
    }

    @Test
    void packsOperationsUnderTheByteBudgetInOrder() throws Exception {
        RequestBatcher batcher = new RequestBatcher(10_000);
        List<DeliveryRequest> requests = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batcher.add(op(1_000, i), requests::add);
        }
        batcher.flush(requests::add);

        int next = 0;
        ObjectMapper mapper = new ObjectMapper();
        for (DeliveryRequest request : requests) {
            byte[] body = BatchBody.of(request.operations);
            assertThat(body.length).isLessThanOrEqualTo(10_000);
            // The concatenated body is one valid JSON document holding the operations in order.
            for (var node : mapper.readTree(body).get("batch")) {
                assertThat(node.get("n").asInt()).isEqualTo(next++);
            }
        }
        assertThat(next).isEqualTo(100);
        // Nine 1000-byte operations fit in 10,000 bytes with the wrapper; ten do not.
        assertThat(requests.get(0).size()).isEqualTo(9);
        assertThat(batcher.isEmpty()).isTrue();
        List<DeliveryRequest> none = new ArrayList<>();
        batcher.flush(none::add);
        assertThat(none).isEmpty();
    }

    @Test
    void anOperationMarkedLastInRequestEndsItsRequestEvenRightAfterAFullOne() {
        RequestBatcher batcher = new RequestBatcher(3_000);
        List<DeliveryRequest> requests = new ArrayList<>();
        batcher.add(op(1_000, 0), requests::add);
        batcher.add(op(1_000, 1), requests::add);
        CustomerioOperation attach = op(1_000, 2);
        attach.lastInRequest = true;
        // Does not fit: the first two go, and the attaching identify goes alone right after.
        batcher.add(attach, requests::add);
        batcher.add(op(500, 3), requests::add);
        batcher.flush(requests::add);

        assertThat(requests).extracting(DeliveryRequest::size).containsExactly(2, 1, 1);
        assertThat(requests.get(1).operations).containsExactly(attach);
    }

    private static CustomerioOperation op(String user, int n) {
        CustomerioOperation op = op(200, n);
        op.userKey = user;
        return op;
    }

    @Test
    void requestsOfDifferentLanesNeverShareAUserAndEachUserKeepsTheirOrder() {
        RequestBatcher batcher = new RequestBatcher(3_000, 8);
        List<DeliveryRequest> requests = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        List<CustomerioOperation> sent = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            CustomerioOperation op = op("user-" + random.nextInt(50), i);
            sent.add(op);
            batcher.add(op, requests::add);
        }
        int filled = requests.size();
        batcher.flush(requests::add);

        java.util.Map<String, Integer> laneOfUser = new java.util.HashMap<>();
        java.util.Map<String, List<CustomerioOperation>> received = new java.util.HashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            for (CustomerioOperation op : requests.get(r).operations) {
                int lane = batcher.laneOf(op.userKey);
                laneOfUser.merge(
                        op.userKey,
                        lane,
                        (a, b) -> {
                            assertThat(a).isEqualTo(b);
                            return a;
                        });
                received.computeIfAbsent(op.userKey, u -> new ArrayList<>()).add(op);
            }
            if (r < filled) {
                // A request a lane filled holds the users of that lane only.
                assertThat(
                                requests.get(r).operations.stream()
                                        .map(op -> batcher.laneOf(op.userKey))
                                        .distinct())
                        .hasSize(1);
            }
        }
        // The flush packs whole lanes: none of them is split over two of its requests.
        java.util.Map<Integer, Integer> requestOfLane = new java.util.HashMap<>();
        for (int r = filled; r < requests.size(); r++) {
            for (CustomerioOperation op : requests.get(r).operations) {
                int request = r;
                requestOfLane.merge(
                        batcher.laneOf(op.userKey),
                        request,
                        (a, b) -> {
                            assertThat(a).isEqualTo(b);
                            return a;
                        });
            }
        }
        for (String user : received.keySet()) {
            assertThat(received.get(user))
                    .containsExactlyElementsOf(
                            sent.stream().filter(op -> op.userKey.equals(user)).toList());
        }
        // 50 users over 8 lanes: every lane is used.
        assertThat(new java.util.HashSet<>(laneOfUser.values())).hasSize(8);
        assertThat(requests.stream().mapToInt(DeliveryRequest::size).sum()).isEqualTo(2_000);
    }

    @Test
    void everyRequestCarriesEachOfItsUsersOnceHoweverItWasCompleted() {
        // Delivery admits a request by these users (PerUserSequencer): one missing would let that
        // user's next request overtake this one; one extra would hold an unrelated user back.
        RequestBatcher batcher = new RequestBatcher(3_000, 8);
        List<DeliveryRequest> requests = new ArrayList<>();
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < 3_000; i++) {
            CustomerioOperation op = op("user-" + random.nextInt(120), i);
            op.lastInRequest = i % 97 == 0;
            batcher.add(op, requests::add);
            if (i % 389 == 0) {
                batcher.flushUser(op.userKey, requests::add);
            }
            if (i % 701 == 0) {
                batcher.flush(requests::add);
            }
        }
        batcher.flush(requests::add);

        assertThat(requests).hasSizeGreaterThan(20);
        for (DeliveryRequest request : requests) {
            List<String> expected =
                    request.operations.stream().map(op -> op.userKey).distinct().toList();
            assertThat(request.distinctUsers()).containsExactlyInAnyOrderElementsOf(expected);
            // The same as a request that never met the batcher (one restored from a checkpoint).
            assertThat(new DeliveryRequest(request.operations).distinctUsers())
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void aFlushPacksTheLanesThatFitTogetherIntoOneRequest() throws Exception {
        // Below saturation (the linger, a checkpoint) eight lanes holding a little each must not
        // cost eight requests.
        RequestBatcher batcher = new RequestBatcher(10_000, 8);
        List<DeliveryRequest> requests = new ArrayList<>();
        List<CustomerioOperation> sent = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            CustomerioOperation op = op("user-" + i, i);
            sent.add(op);
            batcher.add(op, requests::add);
        }
        assertThat(requests).isEmpty();
        batcher.flush(requests::add);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).operations).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(batcher.isEmpty()).isTrue();

        // Lanes that do not fit together go in requests of their own, each under the budget.
        requests.clear();
        List<Integer> lanesUsed = new ArrayList<>();
        for (int i = 0; lanesUsed.size() < 3; i++) {
            int lane = batcher.laneOf("big-" + i);
            if (!lanesUsed.contains(lane)) {
                lanesUsed.add(lane);
                CustomerioOperation big = op(4_000, i);
                big.userKey = "big-" + i;
                batcher.add(big, requests::add);
                CustomerioOperation more = op(2_000, 100 + i);
                more.userKey = "big-" + i;
                batcher.add(more, requests::add);
            }
        }
        batcher.flush(requests::add);
        assertThat(requests).hasSize(3);
        for (DeliveryRequest request : requests) {
            assertThat(BatchBody.of(request.operations).length).isLessThanOrEqualTo(10_000);
            // Each lane's operations together and in their order.
            assertThat(request.operations).hasSize(2);
            assertThat(request.operations.get(0).userKey)
                    .isEqualTo(request.operations.get(1).userKey);
            assertThat(request.operations.get(0).body.length).isEqualTo(4_000);
        }
    }

    @Test
    void flushingAUserHandsOnOnlyTheirLane() {
        RequestBatcher batcher = new RequestBatcher(480_000, 4);
        List<DeliveryRequest> requests = new ArrayList<>();
        String alice = "alice";
        String other = "bob";
        for (int i = 0; batcher.laneOf(other) == batcher.laneOf(alice); i++) {
            other = "bob-" + i;
        }
        batcher.add(op(alice, 1), requests::add);
        batcher.add(op(other, 2), requests::add);

        batcher.flushUser(alice, requests::add);

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).operations).extracting(op -> op.userKey).containsExactly(alice);
        assertThat(batcher.holdsUser(other)).isTrue();
        assertThat(batcher.bufferedOperations()).isEqualTo(1);
        // A user with nothing buffered flushes nothing.
        batcher.flushUser(alice, requests::add);
        assertThat(requests).hasSize(1);
    }

    @Test
    void usersSpreadEvenlyOverTheLanes() {
        RequestBatcher batcher = new RequestBatcher(480_000, 8);
        int[] perLane = new int[8];
        for (int i = 0; i < 80_000; i++) {
            perLane[batcher.laneOf(Long.toString(1_000_000_000_000L + i * 7919L))]++;
        }
        // 10,000 expected per lane; a spread this even keeps the lanes' requests full alike.
        for (int count : perLane) {
            assertThat(count).isBetween(9_500, 10_500);
        }
    }

    @Test
    void aBatchSizeMatchesTheBodyItBuilds() {
        List<CustomerioOperation> ops = List.of(op(100, 1), op(250, 2), op(31, 3));
        assertThat(BatchBody.of(ops).length).isEqualTo(BatchBody.size(3, 381));
    }
}
