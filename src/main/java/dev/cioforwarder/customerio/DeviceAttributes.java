package dev.cioforwarder.customerio;

import java.util.Objects;

/**
 * What Customer.io's device object calls its attributes, as a batch's {@code device_info} and
 * {@code application_info} tell them: a Flink POJO inside the user state's {@code PushDevice} and
 * the records between the token stages. Part of the user state: fields may only be added. Every
 * field is optional.
 */
public class DeviceAttributes {

    /** {@code device_os}: {@code device_info.os_version}. */
    public String deviceOs;

    /** {@code device_model}: {@code device_info.device_model}. */
    public String deviceModel;

    /** {@code app_version}: {@code application_info.application_version}. */
    public String appVersion;

    /**
     * {@code device_locale}: {@code device_info.locale_language}, with {@code -locale_country} when
     * the batch has it (an IETF tag such as {@code en-GB}).
     */
    public String deviceLocale;

    public DeviceAttributes() {}

    /** The attributes, or null when none is known. */
    public static DeviceAttributes of(
            String deviceOs, String deviceModel, String appVersion, String deviceLocale) {
        if (deviceOs == null && deviceModel == null && appVersion == null && deviceLocale == null) {
            return null;
        }
        DeviceAttributes a = new DeviceAttributes();
        a.deviceOs = deviceOs;
        a.deviceModel = deviceModel;
        a.appVersion = appVersion;
        a.deviceLocale = deviceLocale;
        return a;
    }

    /**
     * A fingerprint of the values, never 0 (0 stands for "not known" in the token index's {@code
     * TokenOwner.attributesFingerprint}); equal attributes have equal fingerprints, null has 1.
     */
    public static long fingerprint(DeviceAttributes a) {
        if (a == null) {
            return 1;
        }
        long h = Objects.hash(a.deviceOs, a.deviceModel, a.appVersion, a.deviceLocale);
        h = h * 0x9E3779B97F4A7C15L + 7;
        return h == 0 ? 2 : h;
    }

    public DeviceAttributes copy() {
        return of(deviceOs, deviceModel, appVersion, deviceLocale);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceAttributes a
                && Objects.equals(deviceOs, a.deviceOs)
                && Objects.equals(deviceModel, a.deviceModel)
                && Objects.equals(appVersion, a.appVersion)
                && Objects.equals(deviceLocale, a.deviceLocale);
    }

    @Override
    public int hashCode() {
        return Objects.hash(deviceOs, deviceModel, appVersion, deviceLocale);
    }

    @Override
    public String toString() {
        return "DeviceAttributes{"
                + deviceOs
                + ", "
                + deviceModel
                + ", "
                + appVersion
                + ", "
                + deviceLocale
                + '}';
    }
}
