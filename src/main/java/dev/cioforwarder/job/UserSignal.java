package dev.cioforwarder.job;

import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.mapping.DeviceChange;

/**
 * The per-user state operator's second input: a push device change the token index decided, or
 * feedback from delivery read back from the feedback topic. A Flink POJO; exactly one field is set.
 */
public class UserSignal {

    public DeviceChange deviceChange;

    public DeliveryFeedback feedback;

    public UserSignal() {}

    public static UserSignal of(DeviceChange change) {
        UserSignal s = new UserSignal();
        s.deviceChange = change;
        return s;
    }

    public static UserSignal of(DeliveryFeedback feedback) {
        UserSignal s = new UserSignal();
        s.feedback = feedback;
        return s;
    }

    /** The keyBy key: the user the signal is for. */
    public String userKey() {
        return deviceChange != null ? deviceChange.userKey : feedback.userKey;
    }

    @Override
    public String toString() {
        return "UserSignal{" + (deviceChange != null ? deviceChange : feedback) + '}';
    }
}
