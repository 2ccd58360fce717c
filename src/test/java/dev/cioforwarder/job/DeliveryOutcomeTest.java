package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An erasure's outcome follows its own deletion's fate, not the rest of the request's. */
class DeliveryOutcomeTest {

    private static CustomerioOperation deletion(String requestId, String mpid) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = OperationKind.DELETE;
        op.body = "{\"action\":\"delete\"}".getBytes(StandardCharsets.UTF_8);
        op.erasureRequestId = requestId;
        op.mpid = mpid;
        return op;
    }

    private static CustomerioOperation event(String mpid) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = OperationKind.EVENT;
        op.body = "{\"action\":\"event\"}".getBytes(StandardCharsets.UTF_8);
        op.mpid = mpid;
        return op;
    }

    private static DeadLetter refused(CustomerioOperation op) {
        return DeadLetters.forOperation(
                DeadLetterReason.REJECTED_BY_CUSTOMERIO, "refused", op, 400, "{}", 1);
    }

    @Test
    void eachDeletionOfOneRequestHasItsOwnOutcome() {
        CustomerioOperation first = deletion("r-1", "1");
        CustomerioOperation second = deletion("r-1", "2");
        CustomerioOperation other = event("3");

        List<DeliveryOutcome> out =
                DeliveryOutcome.forRequest(
                        List.of(other, first, second), List.of(refused(second), refused(other)), 5);

        assertThat(out).filteredOn(o -> o.deadLetter != null).hasSize(2);
        assertThat(out)
                .filteredOn(o -> o.erasure != null)
                .extracting(o -> o.erasure.mpid + ":" + o.erasure.outcome)
                .containsExactly("1:done", "2:failed");
        assertThat(out)
                .filteredOn(o -> o.erasure != null && o.erasure.outcome.equals("failed"))
                .singleElement()
                .satisfies(o -> assertThat(o.erasure.detail).contains("rejected_by_customerio"));
    }

    @Test
    void aRequestWithoutDeletionsReportsOnlyItsDeadLetters() {
        CustomerioOperation op = event("3");
        assertThat(DeliveryOutcome.forRequest(List.of(op), List.of(refused(op)), 5))
                .singleElement()
                .satisfies(o -> assertThat(o.erasure).isNull());
        assertThat(DeliveryOutcome.forRequest(List.of(op), List.of(), 5)).isEmpty();
    }
}
