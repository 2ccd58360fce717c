package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.deadletter.DeadLetter;
import java.util.List;

/** Builds {@link DeliveryResult}s for tests outside the delivery package. */
public final class DeliveryResults {

    private DeliveryResults() {}

    public static DeliveryResult of(
            List<CustomerioOperation> operations,
            DeliveryResult.Outcome[] outcomes,
            DeadLetter[] deadLetters,
            String[] parkReasons) {
        return new DeliveryResult(operations, outcomes, deadLetters, parkReasons);
    }
}
