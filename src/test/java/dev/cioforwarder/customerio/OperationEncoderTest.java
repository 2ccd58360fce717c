package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API mode is read once, to pick the encoder: what the later stages need to know travels in
 * each encoding. A v1 encoding always names its own path, so it always goes in a request of its
 * own, and only a {@code /api/v2/batch} operation has none; the batcher and the size rules rely on
 * that instead of reading the mode again.
 */
class OperationEncoderTest {

    /** One id Customer.io reads safely from a v1 path, and two it would not (sent as v2). */
    private static final List<PersonIdentifier> PEOPLE =
            List.of(
                    PersonIdentifier.id("cust-1001"),
                    PersonIdentifier.id("cio_0123"),
                    PersonIdentifier.id("ada@example.com"),
                    PersonIdentifier.email("ada@example.com"));

    private static List<EncodedOperation> everyEncoding(OperationEncoder encoder) {
        List<EncodedOperation> all = new ArrayList<>();
        for (PersonIdentifier person : PEOPLE) {
            ProfileUpdate update = new ProfileUpdate();
            update.attributes.add("first_name", dev.cioforwarder.json.ValueType.STRING, "Ada");
            update.timestampSeconds = 1764320400L;
            all.add(encoder.identify(person, update, 0, 1, true));
            all.add(
                    encoder.event(
                            person,
                            OperationKind.EVENT,
                            "played",
                            "01JC0000000000000000000000",
                            1764320400L,
                            new Attributes(),
                            "42"));
            all.add(
                    encoder.event(
                            person,
                            OperationKind.SCREEN,
                            "home",
                            "01JC0000000000000000000001",
                            1764320400L,
                            new Attributes(),
                            "42"));
            all.add(encoder.delete(person));
            all.add(encoder.addDevice(person, "apns-1", "ios", 1764320400L));
            all.add(encoder.deleteDevice(person, "apns-1"));
        }
        all.add(
                encoder.anonymousEvent(
                        OperationKind.EVENT,
                        "played",
                        "01JC0000000000000000000002",
                        1764320400L,
                        new Attributes(),
                        "42"));
        return all;
    }

    @Test
    void everyV1EncodingNamesItsOwnPath() {
        List<EncodedOperation> v1 = everyEncoding(OperationEncoder.forMode(ApiMode.V1));
        assertThat(v1).isNotEmpty().allSatisfy(e -> assertThat(e.path).isNotNull());
        assertThat(v1).anySatisfy(e -> assertThat(e.sentAsV2).isTrue());
    }

    @Test
    void v2BatchOperationsHaveNoPathExceptAnonymousEventsSentAlone() {
        assertThat(everyEncoding(OperationEncoder.forMode(ApiMode.V2_BATCH, true)))
                .allSatisfy(e -> assertThat(e.path).isNull());
        List<EncodedOperation> alone =
                everyEncoding(OperationEncoder.forMode(ApiMode.V2_BATCH, false));
        assertThat(alone.get(alone.size() - 1).path).isEqualTo("/api/v1/events");
        assertThat(alone.subList(0, alone.size() - 1)).allSatisfy(e -> assertThat(e.path).isNull());
    }
}
