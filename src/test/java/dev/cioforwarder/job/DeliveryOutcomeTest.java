package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetter;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.deadletter.DeadLetters;
import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.delivery.DeliveryResult;
import dev.cioforwarder.delivery.DeliveryResults;
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

    /** A result as delivery gives it: outcomes by operation, in order. */
    private static DeliveryResult result(
            List<CustomerioOperation> ops, DeliveryResult.Outcome... outcomes) throws Exception {
        DeliveryResult.Outcome[] o = outcomes;
        DeadLetter[] dead = new DeadLetter[ops.size()];
        String[] reasons = new String[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            if (o[i] == DeliveryResult.Outcome.DEAD) {
                dead[i] = refused(ops.get(i));
            }
            if (o[i] == DeliveryResult.Outcome.PARKED) {
                reasons[i] = "customerio_unavailable";
            }
        }
        return DeliveryResults.of(ops, o, dead, reasons);
    }

    @Test
    void eachDeletionOfOneRequestHasItsOwnOutcome() throws Exception {
        CustomerioOperation first = deletion("r-1", "1");
        CustomerioOperation second = deletion("r-1", "2");
        CustomerioOperation other = event("3");
        List<CustomerioOperation> ops = List.of(other, first, second);

        List<DeliveryOutcome> out =
                DeliveryOutcome.forRequest(
                        ops,
                        new String[3],
                        result(
                                ops,
                                DeliveryResult.Outcome.DEAD,
                                DeliveryResult.Outcome.DELIVERED,
                                DeliveryResult.Outcome.DEAD),
                        true,
                        "watchdog",
                        "restore_settling",
                        5);

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
    void aDeliveredOperationWithoutAnAnswerAskedReportsNothing() throws Exception {
        CustomerioOperation op = event("3");
        List<CustomerioOperation> ops = List.of(op);
        assertThat(
                        DeliveryOutcome.forRequest(
                                ops,
                                new String[1],
                                result(ops, DeliveryResult.Outcome.DELIVERED),
                                true,
                                "watchdog",
                                "restore_settling",
                                5))
                .isEmpty();
    }

    @Test
    void aRefusedOperationThatChangedTheStateTellsTheStateAndAnAskedOneIsAnswered()
            throws Exception {
        CustomerioOperation unsubscribe = event("3");
        unsubscribe.kind = OperationKind.IDENTIFY;
        unsubscribe.effects = dev.cioforwarder.customerio.OperationEffects.UNSUBSCRIBE;
        CustomerioOperation probe = event("4");
        probe.ackRequested = true;
        List<CustomerioOperation> ops = List.of(unsubscribe, probe);
        List<DeliveryOutcome> out =
                DeliveryOutcome.forRequest(
                        ops,
                        new String[2],
                        result(ops, DeliveryResult.Outcome.DEAD, DeliveryResult.Outcome.DELIVERED),
                        true,
                        "watchdog",
                        "restore_settling",
                        5);
        assertThat(out)
                .filteredOn(o -> o.feedback != null)
                .extracting(
                        o ->
                                o.feedback.kind
                                        + ":"
                                        + o.feedback.accepted
                                        + ":"
                                        + o.feedback.operation.mpid)
                .containsExactly("SETTLED:false:3", "SETTLED:true:4");
    }

    @Test
    void whatWasNotSentOrNotDeliveredInTimeWaitsAndAsksForNothing() throws Exception {
        CustomerioOperation behind = event("1");
        behind.ackRequested = true;
        CustomerioOperation sent = event("2");
        List<CustomerioOperation> ops = List.of(behind, sent);
        List<DeliveryOutcome> out =
                DeliveryOutcome.forRequest(
                        ops,
                        new String[] {"behind_waiting_operation", null},
                        result(List.of(sent), DeliveryResult.Outcome.PARKED),
                        true,
                        "watchdog",
                        "restore_settling",
                        5);
        assertThat(out)
                .extracting(o -> o.feedback.kind + ":" + o.feedback.reason)
                .containsExactly(
                        "PARKED:behind_waiting_operation", "PARKED:customerio_unavailable");
        assertThat(out)
                .allSatisfy(
                        o -> {
                            assertThat(o.feedback.operation.waits).isEqualTo(1);
                            assertThat(o.feedback.operation.ackRequested).isFalse();
                        });
        assertThat(behind.waits).as("the request's own operation is not changed").isZero();
    }

    @Test
    void aSealComesBackSealedOnceARestoreSettledAndParkedBefore() {
        CustomerioOperation seal = new CustomerioOperation();
        seal.kind = OperationKind.SEAL;
        seal.userKey = "u";
        seal.episode = 3;
        List<CustomerioOperation> ops = List.of(seal);
        assertThat(
                        DeliveryOutcome.forRequest(
                                ops, new String[] {"seal"}, null, true, "watchdog", "settling", 5))
                .singleElement()
                .satisfies(
                        o -> assertThat(o.feedback.kind).isEqualTo(DeliveryFeedback.Kind.SEALED));
        assertThat(
                        DeliveryOutcome.forRequest(
                                ops, new String[] {"seal"}, null, false, "watchdog", "settling", 5))
                .singleElement()
                .satisfies(
                        o -> {
                            assertThat(o.feedback.kind).isEqualTo(DeliveryFeedback.Kind.PARKED);
                            assertThat(o.feedback.reason).isEqualTo("settling");
                        });
    }
}
