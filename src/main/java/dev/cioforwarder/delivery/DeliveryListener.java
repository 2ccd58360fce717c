package dev.cioforwarder.delivery;

import dev.cioforwarder.customerio.CustomerioOperation;
import java.util.List;

/** What delivery reports as it goes; the Flink function turns it into metrics and logs. */
public interface DeliveryListener {

    void requestSent(int operations, int bytes);

    void responseReceived(HttpResult result, long latencyMs);

    void retryScheduled(HttpResult result, int attempt, long delayMs);

    void throttled(HttpResult result);

    void authenticationFailed(HttpResult result);

    void delivered(List<CustomerioOperation> operations);

    /** The App API refused its key (identifier changes wait; nothing else does). */
    default void appApiAuthenticationFailed(HttpResult result) {}

    /** A changed identifier was applied to the person (or had been, before a replay). */
    default void identifierChanged() {}

    /** An identifier change found nobody under the old identifier: nothing to change. */
    default void identifierChangeNotNeeded() {}

    DeliveryListener NONE =
            new DeliveryListener() {
                @Override
                public void requestSent(int operations, int bytes) {}

                @Override
                public void responseReceived(HttpResult result, long latencyMs) {}

                @Override
                public void retryScheduled(HttpResult result, int attempt, long delayMs) {}

                @Override
                public void throttled(HttpResult result) {}

                @Override
                public void authenticationFailed(HttpResult result) {}

                @Override
                public void delivered(List<CustomerioOperation> operations) {}
            };
}
