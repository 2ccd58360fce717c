package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.JsonCursors.atValue;
import static dev.cioforwarder.mparticle.JsonCursors.isJustAfterTheValue;
import static dev.cioforwarder.mparticle.JsonCursors.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.deadletter.DeadLetterReason;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DeviceReaderTest {

    private final MParticleBatch batch = new MParticleBatch();

    private DeviceReader readDeviceInfo(String deviceInfo, boolean readDeviceIds)
            throws IOException {
        JsonCursor cursor = atValue(deviceInfo);
        DeviceReader device = new DeviceReader(cursor, batch, readDeviceIds);
        device.readDeviceInfo(token(cursor));
        assertThat(isJustAfterTheValue(cursor)).isTrue();
        return device;
    }

    @Test
    void readsThePlatformAndPushTokenAtOnce() throws IOException {
        readDeviceInfo("{\"platform\":\"iOS\",\"push_token\":\"tok-1\",\"extra\":[1]}", false);

        assertThat(batch.platform).isEqualTo("iOS");
        assertThat(batch.pushToken).isEqualTo("tok-1");
    }

    @Test
    void aBlankPlatformOrTokenIsNone() throws IOException {
        readDeviceInfo("{\"platform\":\"  \",\"push_token\":\" \"}", false);

        assertThat(batch.platform).isNull();
        assertThat(batch.pushToken).isNull();
    }

    @Test
    void deviceDetailsAreReadOnlyForABatchWithAPushToken() throws IOException {
        readDeviceInfo("{\"os_version\":\"17.2\",\"device_model\":\"iPhone15,2\"}", false).finish();

        assertThat(batch.osVersion).isNull();
        assertThat(batch.deviceModel).isNull();
    }

    @Test
    void deviceDetailsAreTrimmedNumbersKeptAsWrittenAndOverlongOnesLeftOut() throws IOException {
        readDeviceInfo(
                        "{\"push_token\":\"tok-1\",\"os_version\":\" 17.2 \",\"device_model\":15,"
                                + "\"locale_language\":\""
                                + "x".repeat(101)
                                + "\",\"locale_country\":{\"a\":1}}",
                        false)
                .finish();

        assertThat(batch.osVersion).isEqualTo("17.2");
        assertThat(batch.deviceModel).isEqualTo("15");
        assertThat(batch.localeLanguage).isNull();
        assertThat(batch.localeCountry).isNull();
    }

    @Test
    void aPushRegistrationEventAlsoReadsTheDetails() throws IOException {
        DeviceReader device = readDeviceInfo("{\"os_version\":\"14\"}", false);
        MParticleEvent registration = new MParticleEvent();
        registration.kind = EventKind.PUSH_REGISTRATION;
        batch.events.add(registration);

        device.finish();

        assertThat(batch.osVersion).isEqualTo("14");
    }

    @Test
    void theDeviceIdPrefersTheOsIdentifiersAndSkipsZeros() throws IOException {
        readDeviceInfo(
                        "{\"ios_idfv\":\"00000000-0000-0000-0000-000000000000\","
                                + "\"android_uuid\":\"ABC-123\"}",
                        true)
                .finish();

        assertThat(batch.deviceId).isEqualTo("android_uuid:abc-123");
    }

    @Test
    void theDeviceIdIsReadOnlyWhenWanted() throws IOException {
        readDeviceInfo("{\"ios_idfv\":\"ABC\"}", false).finish();

        assertThat(batch.deviceId).isNull();
    }

    @Test
    void mParticlesDeviceIdIsTheLastChoice() throws IOException {
        JsonCursor cursor = atValue("\"MP-9\"");
        DeviceReader device = new DeviceReader(cursor, batch, true);
        device.readMpDeviceId(token(cursor));

        device.finish();

        assertThat(batch.deviceId).isEqualTo("mp_deviceid:mp-9");
    }

    @Test
    void readsTheApplicationOs() throws IOException {
        JsonCursor cursor = atValue("{\"os\":\"Android\",\"application_version\":\"2.1\"}");
        new DeviceReader(cursor, batch, false).readApplicationInfo(token(cursor));

        assertThat(batch.applicationOs).isEqualTo("Android");
        assertThat(isJustAfterTheValue(cursor)).isTrue();
    }

    @Test
    void deviceInfoThatIsNotAnObjectRejectsTheBatch() {
        JsonCursor cursor = atValue("[1]");
        DeviceReader device = new DeviceReader(cursor, batch, false);

        assertThatThrownBy(() -> device.readDeviceInfo(token(cursor)))
                .isInstanceOfSatisfying(
                        ParseFailures.BatchError.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.DEVICE_INFO_INVALID))
                .hasMessage(
                        "device_info: expected an object, found an array"
                                + " (line 1, column 7, byte 6)");
    }
}
