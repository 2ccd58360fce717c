package dev.cioforwarder.job;

import dev.cioforwarder.mapping.DeviceChange;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys device changes by the user they are for, like the batches of {@link UserKeySelector}. */
public class DeviceChangeKeySelector implements KeySelector<DeviceChange, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(DeviceChange change) {
        return change.userKey;
    }
}
