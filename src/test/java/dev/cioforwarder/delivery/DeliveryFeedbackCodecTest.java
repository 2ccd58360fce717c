package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The feedback topic's binary form carries every field of a feedback and its operation unchanged,
 * and refuses anything else with an {@link IllegalArgumentException} only.
 */
class DeliveryFeedbackCodecTest {

    /** Override with {@code -Dcodec.seed=...} to rerun another random run. */
    private static final long SEED = Long.getLong("codec.seed", 20251128L);

    private static final String NON_ASCII = "Zoë Ångström 中文 😀 \u0000 \u00a0 \uffff";

    /** An operation whose every field holds a value other than its default. */
    private static CustomerioOperation fullOperation() {
        CustomerioOperation op = new CustomerioOperation();
        op.userKey = "user-42";
        op.kind = OperationKind.ADD_DEVICE;
        op.method = "PUT";
        op.path = "/api/v1/customers/c-42/devices";
        op.body = "{\"device\":{\"id\":\"tok\"}}".getBytes(StandardCharsets.UTF_8);
        op.eventId = "01JDZ8K3V6Q4X0N7C2Y5T9M1AB";
        op.lastInRequest = true;
        op.erasureRequestId = "erasure-7";
        op.eventTimeMs = 1_764_320_400_123L;
        op.mpid = "-8765432109876543210";
        op.sourceTopic = "mparticle-batches";
        op.sourcePartition = 11;
        op.sourceOffset = 987_654_321_012L;
        op.seq = 123_456_789_012L;
        op.episode = 77;
        op.ackRequested = true;
        op.confirmRequired = true;
        op.effects = 0b1011_0101;
        op.effectDetail = "apns-token-1";
        op.firstAttemptMs = 1_764_320_401_456L;
        op.waits = 9;
        return op;
    }

    private static DeliveryFeedback fullFeedback() {
        DeliveryFeedback f = new DeliveryFeedback();
        f.userKey = "user-42";
        f.kind = DeliveryFeedback.Kind.SETTLED;
        f.operation = fullOperation();
        f.accepted = true;
        f.reason = "customerio_unavailable";
        f.atMs = 1_764_320_402_789L;
        return f;
    }

    private static DeliveryFeedback roundTrip(DeliveryFeedback f) {
        return DeliveryFeedbackCodec.decode(DeliveryFeedbackCodec.encode(f));
    }

    private static void assertSame(DeliveryFeedback decoded, DeliveryFeedback original) {
        assertThat(decoded)
                .usingRecursiveComparison()
                .withStrictTypeChecking()
                .ignoringFields("operation.body") // compared below: element by element is slow
                .isEqualTo(original);
        if (original.operation != null) {
            assertThat(decoded.operation.body).isEqualTo(original.operation.body);
        }
    }

    /**
     * The public instance fields of {@code o} that still hold their default value (or
     * 0/false/null).
     */
    private static List<String> fieldsAtTheirDefault(Object o, Object defaults) throws Exception {
        List<String> atDefault = new ArrayList<>();
        for (Field field : o.getClass().getFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Object value = field.get(o);
            Object initial = field.get(defaults);
            boolean isDefault =
                    value == null
                            || value.equals(initial)
                            || value.equals(Boolean.FALSE)
                            || (value instanceof Number && ((Number) value).longValue() == 0);
            if (isDefault) {
                atDefault.add(field.getName());
            }
        }
        return atDefault;
    }

    @Test
    void theSampleSetsEveryFieldSoTheRoundTripCoversThemAll() throws Exception {
        // A field added to the POJOs must be added to the sample (and to the codec).
        assertThat(fieldsAtTheirDefault(fullOperation(), new CustomerioOperation())).isEmpty();
        assertThat(fieldsAtTheirDefault(fullFeedback(), new DeliveryFeedback())).isEmpty();
    }

    @Test
    void everyFieldOfAFeedbackAndItsOperationSurvivesEncodeAndDecode() {
        DeliveryFeedback original = fullFeedback();
        DeliveryFeedback decoded = roundTrip(original);

        assertSame(decoded, original);
        assertThat(decoded.operation).isNotSameAs(original.operation);
    }

    @Test
    void extremeNumbersSurviveWithoutTruncation() {
        DeliveryFeedback f = fullFeedback();
        f.atMs = Long.MIN_VALUE;
        f.operation.eventTimeMs = Long.MAX_VALUE;
        f.operation.sourcePartition = Integer.MIN_VALUE;
        f.operation.sourceOffset = Long.MAX_VALUE;
        f.operation.seq = CustomerioOperation.UNSEQUENCED;
        f.operation.episode = Long.MIN_VALUE;
        f.operation.effects = -1;
        f.operation.firstAttemptMs = -1;
        f.operation.waits = Integer.MAX_VALUE;

        assertSame(roundTrip(f), f);
    }

    @Test
    void falseFlagsStayFalse() {
        DeliveryFeedback f = fullFeedback();
        f.accepted = false;
        f.operation.lastInRequest = false;
        f.operation.ackRequested = false;
        f.operation.confirmRequired = false;
        DeliveryFeedback decoded = roundTrip(f);

        assertThat(decoded.accepted).isFalse();
        assertThat(decoded.operation.lastInRequest).isFalse();
        assertThat(decoded.operation.ackRequested).isFalse();
        assertThat(decoded.operation.confirmRequired).isFalse();
        assertSame(decoded, f);
    }

    @ParameterizedTest
    @EnumSource(DeliveryFeedback.Kind.class)
    void everyFeedbackKindSurvives(DeliveryFeedback.Kind kind) {
        DeliveryFeedback f = fullFeedback();
        f.kind = kind;

        assertThat(roundTrip(f).kind).isEqualTo(kind);
        assertSame(roundTrip(f), f);
    }

    @ParameterizedTest
    @EnumSource(OperationKind.class)
    void everyOperationKindSurvives(OperationKind kind) {
        DeliveryFeedback f = fullFeedback();
        f.operation.kind = kind;

        assertThat(roundTrip(f).operation.kind).isEqualTo(kind);
        assertSame(roundTrip(f), f);
    }

    @Test
    void theFactoriesOutputSurvives() {
        CustomerioOperation op = fullOperation();
        assertSame(
                roundTrip(DeliveryFeedback.parked(op, "throttled", 5)),
                DeliveryFeedback.parked(op, "throttled", 5));
        assertSame(roundTrip(DeliveryFeedback.sealed(op, 6)), DeliveryFeedback.sealed(op, 6));
        assertSame(
                roundTrip(DeliveryFeedback.settled(op, false, 7)),
                DeliveryFeedback.settled(op, false, 7));
    }

    @Test
    void nullStringsAndANullOperationKindStayNull() {
        DeliveryFeedback f = fullFeedback();
        f.userKey = null;
        f.reason = null;
        CustomerioOperation op = f.operation;
        op.userKey = null;
        op.kind = null;
        op.method = null;
        op.path = null;
        op.body = null;
        op.eventId = null;
        op.erasureRequestId = null;
        op.mpid = null;
        op.sourceTopic = null;
        op.effectDetail = null;
        DeliveryFeedback decoded = roundTrip(f);

        assertThat(decoded.userKey).isNull();
        assertThat(decoded.reason).isNull();
        assertThat(decoded.operation.body).isNull();
        assertThat(decoded.operation.kind).isNull();
        assertSame(decoded, f);
    }

    @Test
    void aNullOperationStaysNull() {
        DeliveryFeedback f = fullFeedback();
        f.operation = null;
        DeliveryFeedback decoded = roundTrip(f);

        assertThat(decoded.operation).isNull();
        assertSame(decoded, f);
    }

    @Test
    void emptyStringsAndAnEmptyBodyStayEmptyNotNull() {
        DeliveryFeedback f = fullFeedback();
        f.userKey = "";
        f.reason = "";
        f.operation.body = new byte[0];
        f.operation.path = "";
        f.operation.effectDetail = "";
        DeliveryFeedback decoded = roundTrip(f);

        assertThat(decoded.userKey).isEmpty();
        assertThat(decoded.reason).isEmpty();
        assertThat(decoded.operation.body).isNotNull().isEmpty();
        assertThat(decoded.operation.path).isEmpty();
        assertThat(decoded.operation.effectDetail).isEmpty();
        assertSame(decoded, f);
    }

    @Test
    void aLargeBodySurvivesByteForByte() {
        byte[] body = new byte[5 * 1024 * 1024 + 3];
        new Random(SEED).nextBytes(body); // not valid UTF-8: the body is carried as bytes
        DeliveryFeedback f = fullFeedback();
        f.operation.body = body.clone();
        DeliveryFeedback decoded = roundTrip(f);

        assertThat(decoded.operation.body).as("seed " + SEED).isEqualTo(body);
        assertSame(decoded, f);
    }

    @Test
    void nonAsciiStringsSurviveInEveryStringField() {
        DeliveryFeedback f = fullFeedback();
        f.userKey = "user " + NON_ASCII;
        f.reason = "reason " + NON_ASCII;
        CustomerioOperation op = f.operation;
        op.userKey = "op user " + NON_ASCII;
        op.method = "method " + NON_ASCII;
        op.path = "/api/v1/customers/" + NON_ASCII;
        op.body = ("{\"name\":\"" + NON_ASCII + "\"}").getBytes(StandardCharsets.UTF_8);
        op.eventId = "event " + NON_ASCII;
        op.erasureRequestId = "erasure " + NON_ASCII;
        op.mpid = "mpid " + NON_ASCII;
        op.sourceTopic = "topic " + NON_ASCII;
        op.effectDetail = "zoë@exämple.com " + NON_ASCII;
        DeliveryFeedback decoded = roundTrip(f);

        assertThat(decoded.operation.effectDetail).isEqualTo("zoë@exämple.com " + NON_ASCII);
        assertSame(decoded, f);
    }

    @Test
    void refusesNullAndAnEmptyArray() {
        assertThatThrownBy(() -> DeliveryFeedbackCodec.decode(null))
                .isExactlyInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DeliveryFeedbackCodec.decode(new byte[0]))
                .isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesEveryOtherVersionByte() {
        byte[] valid = DeliveryFeedbackCodec.encode(fullFeedback());
        assertThat(valid[0]).isEqualTo(DeliveryFeedbackCodec.VERSION);
        for (int b = Byte.MIN_VALUE; b <= Byte.MAX_VALUE; b++) {
            if (b == DeliveryFeedbackCodec.VERSION) {
                continue;
            }
            byte[] other = valid.clone();
            other[0] = (byte) b;
            assertThatThrownBy(() -> DeliveryFeedbackCodec.decode(other))
                    .as("version byte %d", b)
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("version");
        }
    }

    @Test
    void refusesEveryTruncationOfAValidRecord() {
        DeliveryFeedback withoutOperation = fullFeedback();
        withoutOperation.operation = null;
        for (DeliveryFeedback f : List.of(fullFeedback(), withoutOperation)) {
            byte[] valid = DeliveryFeedbackCodec.encode(f);
            assertSame(DeliveryFeedbackCodec.decode(valid), f);
            for (int length = 0; length < valid.length; length++) {
                byte[] prefix = Arrays.copyOf(valid, length);
                assertThat(catchThrowable(() -> DeliveryFeedbackCodec.decode(prefix)))
                        .as("prefix of %d of %d bytes", length, valid.length)
                        .isExactlyInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void refusesRandomBytes() {
        Random random = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            byte[] value = new byte[random.nextInt(80)];
            random.nextBytes(value);
            Throwable thrown = catchThrowable(() -> DeliveryFeedbackCodec.decode(value));
            assertThat(thrown)
                    .as("seed %d, case %d: %s", SEED, i, HexFormat.of().formatHex(value))
                    .isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void refusesRandomBytesAfterAValidVersionByte() {
        Random random = new Random(SEED);
        for (int i = 0; i < 5_000; i++) {
            byte[] value = new byte[1 + random.nextInt(120)];
            random.nextBytes(value);
            value[0] = DeliveryFeedbackCodec.VERSION;
            Throwable thrown = catchThrowable(() -> DeliveryFeedbackCodec.decode(value));
            assertThat(thrown)
                    .as("seed %d, case %d: %s", SEED, i, HexFormat.of().formatHex(value))
                    .isExactlyInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * A record whose length field promises more bytes than the record holds: refused as such, not
     * by first allocating an array of that length (up to 2 GB, an {@link OutOfMemoryError} on a
     * smaller heap, and a crash loop since the same record is read again after the restart).
     */
    @Test
    void aLengthBeyondTheRecordIsRefusedWithoutAllocatingIt() {
        byte[] value = {DeliveryFeedbackCodec.VERSION, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0};
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        Throwable thrown = catchThrowable(() -> DeliveryFeedbackCodec.decode(value));
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class);
        assertThat(allocated).isLessThan(1024 * 1024);
    }
}
