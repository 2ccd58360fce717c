package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which push tokens a batch registers or unregisters, on which platform ({@link
 * PushTokenSightings}).
 */
class PushTokenSightingsTest {

    private final PushTokenSightings sightings = new PushTokenSightings();

    private static MParticleBatch parse(Batch batch) {
        ParseResult parsed =
                new BatchParser().parse(batch.json().getBytes(StandardCharsets.UTF_8), 0L);
        assertThat(parsed.isRejected()).as("%s", parsed).isFalse();
        return parsed.batch();
    }

    /** "register token platform" or "unregister token", in batch order. */
    private List<String> read(Batch batch) {
        return sightings.read(parse(batch)).sightings().stream()
                .map(
                        s ->
                                (s.register ? "register " : "unregister ")
                                        + s.token
                                        + (s.register ? " " + s.platform : ""))
                .collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(
            nullValues = "-",
            value = {
                "iOS,-,ios",
                "IOS,-,ios",
                "tvOS,-,ios",
                "-,IOS,ios",
                "-,UnityIOS,ios",
                "Android,-,android",
                "-,Android,android",
                "-,UnityAndroid,android",
                "Android,IOS,android",
                "web,-,-",
                "-,MobileWeb,-",
                "fire_tv,-,-",
                "-,FireTV,-",
                "roku,-,-",
                "smart_tv,-,-",
                "alexa,-,-",
                "xbox,-,-",
                "desktop,-,-",
                "out_of_band,-,-",
                "-,-,-"
            })
    void iosAndAndroidAreCustomerioPlatformsAndNothingElseIs(
            String platform, String os, String expected) {
        Batch batch = batch().device(platform, "tok");
        if (os != null) {
            batch.os(os);
        }
        assertThat(PushTokenSightings.platform(parse(batch))).isEqualTo(expected);
        PushTokenSightings read = sightings.read(parse(batch));
        if (expected == null) {
            assertThat(read.sightings()).isEmpty();
            assertThat(read.skipped(SkipReason.DEVICE_PLATFORM_UNSUPPORTED)).isEqualTo(1);
        } else {
            assertThat(read.sightings())
                    .singleElement()
                    .satisfies(
                            s -> {
                                assertThat(s.platform).isEqualTo(expected);
                                assertThat(s.register).isTrue();
                            });
        }
    }

    @Test
    void aRegistrationCarriesTheDevicesAttributesAndAnUnregistrationNone() {
        String json =
                "{\"mpid\":7,\"timestamp_unixtime_ms\":1764320400000,\"device_info\":{\"platform\":"
                    + "\"iOS\",\"os_version\":\"17.2\",\"device_model\":\"iPhone15,2\","
                    + "\"locale_language\":\"de\",\"locale_country\":\"AT\",\"push_token\":\"apns-1\"},"
                    + "\"application_info\":{\"application_version\":\"5.0\"},\"events\":["
                    + "{\"event_type\":\"push_registration\",\"data\":{\"register\":false,"
                    + "\"registration_token\":\"apns-old\"}}]}";
        MParticleBatch parsed =
                new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), 0L).batch();
        List<TokenSighting> read = sightings.read(parsed).sightings();
        assertThat(read.get(0).token).isEqualTo("apns-1");
        assertThat(read.get(0).attributes)
                .isEqualTo(
                        dev.cioforwarder.customerio.DeviceAttributes.of(
                                "17.2", "iPhone15,2", "5.0", "de-AT"));
        assertThat(read.get(1).register).isFalse();
        assertThat(read.get(1).attributes).isNull();
    }

    @Test
    void aLanguageWithoutACountryIsTheLocaleAndACountryAloneIsNone() {
        MParticleBatch parsed = parse(batch().device("Android", "fcm-1"));
        assertThat(PushTokenSightings.attributes(parsed)).isNull();
        parsed.localeLanguage = "pt";
        assertThat(PushTokenSightings.attributes(parsed).deviceLocale).isEqualTo("pt");
        parsed.localeLanguage = null;
        parsed.localeCountry = "BR";
        assertThat(PushTokenSightings.attributes(parsed)).isNull();
    }

    @Test
    void theDeviceInfoTokenIsRegisteredWithTheBatchsUserAndTime() {
        MParticleBatch parsed =
                parse(batch().mpid("42").at(1_764_320_400_500L).device("iOS", " apns-1 "));
        parsed.sourceTopic = "in";
        parsed.sourcePartition = 3;
        parsed.sourceOffset = 99;
        TokenSighting s = sightings.read(parsed).sightings().get(0);
        assertThat(s.token).as("trimmed").isEqualTo("apns-1");
        assertThat(s.userKey).isEqualTo("42");
        assertThat(s.mpid).isEqualTo("42");
        assertThat(s.platform).isEqualTo("ios");
        assertThat(s.timeMs).isEqualTo(1_764_320_400_500L);
        assertThat(s.register).isTrue();
        assertThat(s.sourceTopic).isEqualTo("in");
        assertThat(s.sourcePartition).isEqualTo(3);
        assertThat(s.sourceOffset).isEqualTo(99);
    }

    @Test
    void pushRegistrationsRegisterAndUnregisterAndTheLastWordOnATokenCounts() {
        assertThat(
                        read(
                                batch().device("Android", "fcm-1")
                                        .events(
                                                Events.pushRegistration(true, "fcm-2"),
                                                Events.pushRegistration(false, "fcm-1"),
                                                Events.pushRegistration(false, "fcm-3"),
                                                Events.pushRegistration(true, "fcm-3"))))
                .containsExactly(
                        "register fcm-2 android", "unregister fcm-1", "register fcm-3 android");
    }

    @Test
    void anUninstallUnregistersTheBatchsDeviceToken() {
        // The device information of an uninstall batch is the removed app's.
        assertThat(read(batch().device("Android", "fcm-1").events(Events.uninstall())))
                .containsExactly("unregister fcm-1");
        // Without a token it names no device.
        PushTokenSightings read =
                sightings.read(parse(batch().platform("iOS").events(Events.uninstall())));
        assertThat(read.sightings()).isEmpty();
        assertThat(read.skipped(SkipReason.DEVICE_TOKEN_INVALID)).isEqualTo(1);
    }

    @Test
    void anUnregistrationNeedsNoPlatform() {
        assertThat(read(batch().events(Events.pushRegistration(false, "fcm-1"))))
                .containsExactly("unregister fcm-1");
        assertThat(read(batch().device("web", "w-1").events(Events.uninstall())))
                .containsExactly("unregister w-1");
    }

    @Test
    void whatCannotBeAPushTokenIsSkippedAndCounted() {
        PushTokenSightings read =
                sightings.read(
                        parse(
                                batch().device("iOS", "two words")
                                        .events(
                                                Events.pushRegistration(true, ""),
                                                Events.pushRegistration(true, "tab\tinside"),
                                                Events.pushRegistration(true, "x".repeat(1001)),
                                                Events.pushRegistration(null, "no-register"),
                                                Events.pushRegistration(true, "x".repeat(1000)))));
        assertThat(read.sightings()).extracting(s -> s.token).containsExactly("x".repeat(1000));
        assertThat(read.skipped(SkipReason.DEVICE_TOKEN_INVALID)).isEqualTo(5);
        assertThat(read.skipped(SkipReason.DEVICE_PLATFORM_UNSUPPORTED)).isZero();
    }

    @Test
    void anIosTokenInTheBracketedFormOfMParticlesReferenceIsItsPlainHex() {
        // mParticle's JSON reference shows device_info.push_token as iOS prints a token's bytes.
        String bracketed =
                "<e481f135 9629f0c3 0a5b2c47 dd3e0a11 7b6cd5f8 a1a3c2b1 7d8e9f00 12345678>";
        String plain = "e481f1359629f0c30a5b2c47dd3e0a117b6cd5f8a1a3c2b17d8e9f0012345678";
        assertThat(read(batch().device("iOS", bracketed)))
                .containsExactly("register " + plain + " ios");
        // Both forms name one device: a registration in the plain form is the same token.
        assertThat(
                        read(
                                batch().device("iOS", bracketed)
                                        .events(Events.pushRegistration(false, plain))))
                .containsExactly("unregister " + plain);
        assertThat(read(batch().device("iOS", " <E481F135 9629F0C3> ")))
                .containsExactly("register E481F1359629F0C3 ios");
    }

    @Test
    void aBracketedTokenThatIsNotHexStaysUnusable() {
        PushTokenSightings read =
                sightings.read(
                        parse(
                                batch().device("iOS", "<not hex>")
                                        .events(
                                                Events.pushRegistration(true, "< >"),
                                                Events.pushRegistration(true, "<e481\tf135>"))));
        assertThat(read.sightings()).isEmpty();
        assertThat(read.skipped(SkipReason.DEVICE_TOKEN_INVALID)).isEqualTo(3);
    }

    @Test
    void aBatchWithoutPushDataHasNoSightings() {
        PushTokenSightings read =
                sightings.read(
                        parse(
                                Batch.customer()
                                        .platform("iOS")
                                        .events(Events.custom("a", null, "s"))));
        assertThat(read.sightings()).isEmpty();
        assertThat(read.skipped(SkipReason.DEVICE_TOKEN_INVALID)).isZero();
    }
}
