package dev.cioforwarder.job;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys device changes and delivery feedback by the user they are for. */
public class UserSignalKeySelector implements KeySelector<UserSignal, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(UserSignal signal) {
        return signal.userKey();
    }
}
