package dev.cioforwarder.job;

import dev.cioforwarder.mapping.DeviceVisit;
import org.apache.flink.api.java.functions.KeySelector;

/** Keys device visits by device identifier, for the device index. */
public class DeviceVisitKeySelector implements KeySelector<DeviceVisit, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(DeviceVisit visit) {
        return visit.deviceId;
    }
}
