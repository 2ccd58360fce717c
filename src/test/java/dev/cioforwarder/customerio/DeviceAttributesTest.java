package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A device's attributes: absent altogether when none is known, compared by value, and fingerprinted
 * for the token index, where 0 means "not known" and absent attributes are 1.
 */
class DeviceAttributesTest {

    @Test
    void noneKnownIsNoAttributes() {
        assertThat(DeviceAttributes.of(null, null, null, null)).isNull();
    }

    @Test
    void anyOneKnownMakesAttributes() {
        DeviceAttributes a = DeviceAttributes.of(null, null, null, "en-GB");
        assertThat(a).isNotNull();
        assertThat(a.deviceLocale).isEqualTo("en-GB");
        assertThat(a.deviceOs).isNull();
        DeviceAttributes b = DeviceAttributes.of("17.1", "iPhone15,2", "4.2.0", "en-GB");
        assertThat(b.deviceOs).isEqualTo("17.1");
        assertThat(b.deviceModel).isEqualTo("iPhone15,2");
        assertThat(b.appVersion).isEqualTo("4.2.0");
    }

    @Test
    void equalByValue() {
        DeviceAttributes a = DeviceAttributes.of("17.1", "iPhone15,2", "4.2.0", null);
        DeviceAttributes b = DeviceAttributes.of("17.1", "iPhone15,2", "4.2.0", null);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(DeviceAttributes.of("17.2", "iPhone15,2", "4.2.0", null));
        // The same text in another field is another device.
        assertThat(DeviceAttributes.of("x", null, null, null))
                .isNotEqualTo(DeviceAttributes.of(null, "x", null, null));
    }

    @Test
    void aCopyIsEqualButApart() {
        DeviceAttributes a = DeviceAttributes.of("14", "Pixel 8", "4.2.0", "de-DE");
        DeviceAttributes copy = a.copy();
        assertThat(copy).isEqualTo(a).isNotSameAs(a);
        copy.appVersion = "4.3.0";
        assertThat(a.appVersion).isEqualTo("4.2.0");
    }

    @Test
    void theFingerprintOfNoAttributesIsOne() {
        assertThat(DeviceAttributes.fingerprint(null)).isEqualTo(1L);
    }

    @Test
    void fingerprintsFollowEquality() {
        DeviceAttributes a = DeviceAttributes.of("17.1", "iPhone15,2", "4.2.0", "en-GB");
        assertThat(DeviceAttributes.fingerprint(a))
                .isEqualTo(DeviceAttributes.fingerprint(a.copy()))
                .isNotEqualTo(
                        DeviceAttributes.fingerprint(
                                DeviceAttributes.of("17.1", "iPhone15,2", "4.2.1", "en-GB")))
                .isNotZero();
    }

    @Test
    void aFingerprintIsNeverZero() {
        for (int i = 0; i < 10_000; i++) {
            DeviceAttributes a = DeviceAttributes.of(Integer.toString(i), null, null, null);
            assertThat(DeviceAttributes.fingerprint(a)).isNotZero();
        }
    }

    @Test
    void printsItsValues() {
        assertThat(DeviceAttributes.of("14", null, "4.2.0", null))
                .hasToString("DeviceAttributes{14, null, 4.2.0, null}");
    }
}
