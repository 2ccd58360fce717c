package dev.cioforwarder.job;

import dev.cioforwarder.delivery.DeliveryFeedback;
import dev.cioforwarder.mapping.AnonymousStitch;
import dev.cioforwarder.mapping.DeviceChange;
import dev.cioforwarder.mapping.EmailVerdict;

/**
 * The per-user state operator's second input: a push device change the token index decided,
 * anonymous MPIDs the device index gave the user, the email index's word on their email, or
 * feedback from delivery read back from the feedback topic. A Flink POJO; exactly one field is set.
 */
public class UserSignal {

    public DeviceChange deviceChange;

    public DeliveryFeedback feedback;

    /** Added in state version 6 (signals are never kept in state). */
    public AnonymousStitch stitch;

    /** Added in state version 6, like {@link #stitch}. */
    public EmailVerdict emailVerdict;

    public UserSignal() {}

    public static UserSignal of(EmailVerdict verdict) {
        UserSignal s = new UserSignal();
        s.emailVerdict = verdict;
        return s;
    }

    public static UserSignal of(AnonymousStitch stitch) {
        UserSignal s = new UserSignal();
        s.stitch = stitch;
        return s;
    }

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
        if (deviceChange != null) {
            return deviceChange.userKey;
        }
        if (stitch != null) {
            return stitch.userKey;
        }
        return emailVerdict != null ? emailVerdict.userKey : feedback.userKey;
    }

    @Override
    public String toString() {
        Object signal =
                deviceChange != null
                        ? deviceChange
                        : stitch != null ? stitch : emailVerdict != null ? emailVerdict : feedback;
        return "UserSignal{" + signal + '}';
    }
}
