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
        requests.add(batcher.flush());

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
        assertThat(batcher.flush()).isNull();
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
        requests.add(batcher.flush());

        assertThat(requests).extracting(DeliveryRequest::size).containsExactly(2, 1, 1);
        assertThat(requests.get(1).operations).containsExactly(attach);
    }

    @Test
    void aBatchSizeMatchesTheBodyItBuilds() {
        List<CustomerioOperation> ops = List.of(op(100, 1), op(250, 2), op(31, 3));
        assertThat(BatchBody.of(ops).length).isEqualTo(BatchBody.size(3, 381));
    }
}
