package dev.cioforwarder.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.CommerceData;
import dev.cioforwarder.mparticle.EventKind;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.MParticleEvent;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.mparticle.ProductImpression;
import dev.cioforwarder.privacy.ErasureRequest;
import dev.cioforwarder.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Test;

/**
 * The parsed batch's serializer: Flink's own serializer contract ({@link SerializerTestBase}: copy,
 * serialize alone and in sequence, duplicate, snapshot and restore) over every batch of the
 * mParticle conformance corpus and the sample fixtures as the parser reads them, and a batch with
 * every field set; plus the wire format, pinned.
 */
class MParticleBatchSerializerTest extends SerializerTestBase<MParticleBatch> {

    private static final long RECORD_TIME = 1_764_400_000_000L;

    /** The classes a batch is made of: every field of each must cross the shuffle. */
    private static final List<Class<?>> BATCH_CLASSES =
            List.of(
                    MParticleBatch.class,
                    MParticleEvent.class,
                    Attributes.class,
                    CommerceData.class,
                    ProductImpression.class,
                    ErasureRequest.class);

    MParticleBatchSerializerTest() {
        // The concurrency check (testDuplicate) compares with this checker, not deepEquals.
        super(
                new DeeplyEqualsChecker()
                        .withCustomCheck(
                                (a, b) ->
                                        a instanceof MParticleBatch && b instanceof MParticleBatch,
                                (a, b, checker) -> recursivelyEqual(a, b)));
    }

    private static boolean recursivelyEqual(Object a, Object b) {
        try {
            assertThat(a).usingRecursiveComparison().isEqualTo(b);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @Override
    protected TypeSerializer<MParticleBatch> createSerializer() {
        return new MParticleBatchSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<MParticleBatch> getTypeClass() {
        return MParticleBatch.class;
    }

    @Override
    protected MParticleBatch[] getTestData() {
        List<MParticleBatch> batches = new ArrayList<>(parsedSamples());
        batches.add(everyFieldSet());
        batches.add(new MParticleBatch());
        batches.add(withNullLists());
        return batches.toArray(new MParticleBatch[0]);
    }

    /** The batches have no equals: compared field by field, all the way down. */
    @Override
    protected void deepEquals(String message, MParticleBatch should, MParticleBatch is) {
        assertThat(is).as(message).usingRecursiveComparison().isEqualTo(should);
    }

    @Test
    void theFullBatchSetsEveryFieldOfEveryClassOfABatch() throws Exception {
        // A field added to a batch class and not to everyFieldSet() would travel unchecked: the
        // round trips above only prove the fields the test data sets.
        List<String> unset = new ArrayList<>();
        collectUnset(everyFieldSet(), unset);
        assertThat(unset).as("fields that everyFieldSet() leaves at their default").isEmpty();
        for (Class<?> type : BATCH_CLASSES) {
            for (Field f : type.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    assertThat(visited)
                            .as("everyFieldSet() reaches %s.%s", type.getSimpleName(), f.getName())
                            .contains(type.getSimpleName() + "." + f.getName());
                }
            }
        }
    }

    @Test
    void stringsComeBackExactlyWhateverTheirCharacters() throws IOException {
        MParticleBatch batch = new MParticleBatch();
        List<String> strings =
                List.of(
                        "",
                        "plain ascii",
                        "Latin-1: café, naïve, ÿ",
                        "beyond Latin-1: Łódź, 東京, ✓",
                        "an emoji: \uD83D\uDE00",
                        "a lone surrogate: \uD800 and \uDFFF",
                        "x".repeat(70_000));
        batch.deletedUserAttributes = new ArrayList<>(strings);
        batch.deletedUserAttributes.add(null);
        MParticleBatch back = roundTrip(batch);
        assertThat(back.deletedUserAttributes)
                .containsExactlyElementsOf(batch.deletedUserAttributes);
    }

    /**
     * The format, byte by byte, written out by hand from the serializer's description: a change to
     * it must come with a new snapshot version that still reads these bytes (an unaligned
     * checkpoint may hold batches in flight).
     */
    @Test
    void theWireFormatIsPinned() throws IOException {
        MParticleBatch batch = new MParticleBatch();
        batch.userKey = "7";
        batch.hasMpid = true;
        batch.mpid = 7;
        batch.timestampMs = 1000;
        batch.userAttributes.add("a", ValueType.STRING, "é");
        MParticleEvent event = new MParticleEvent();
        event.kind = EventKind.SCREEN_VIEW;
        event.name = "Ω";
        event.attributes = new Attributes();
        event.position = 2;
        batch.events.add(event);
        batch.sourceTopic = "t";
        batch.sourcePartition = 1;
        batch.sourceOffset = 9;

        String expected =
                String.join(
                        "",
                        "03" + "37", // userKey "7": header (1 << 1 | latin-1) + 1 = 3, then '7'
                        "01", // hasMpid
                        "0000000000000007", // mpid
                        "00000000000003e8", // timestampMs 1000
                        "00", // timestampFromRecord
                        "00" + "00" + "00", // batchId, customerId, email: null
                        "01", // userAttributes present
                        "02" + "03" + "61", // names: one, "a"
                        "02" + "05" + "73e9", // values: one, "sé" (tag 's', then é in latin-1)
                        "01", // deletedUserAttributes: empty list
                        "00", // developmentEnvironment
                        "00".repeat(9), // platform … deviceId: null
                        "01", // eventTimesMs: empty
                        "02", // events: one
                        "01" + "01", // present, kind SCREEN_VIEW (ordinal 1)
                        "04" + "03a9", // name "Ω": header (1 << 1 | wide) + 1 = 4, UTF-16
                        "8000000000000000", // timestampMs: NO_TIME
                        "00", // dedupKey: null
                        "01" + "01" + "01", // attributes present, no names, no values
                        "00", // optedOut: null
                        "00" + "00" + "00", // activityType, identityType, identity: null
                        "00", // pushRegister: null
                        "00", // pushToken: null
                        "00", // commerce: none
                        "00000002", // position
                        "00", // erasure: none
                        "03" + "74", // sourceTopic "t"
                        "00000001", // sourcePartition
                        "0000000000000009"); // sourceOffset
        DataOutputSerializer out = new DataOutputSerializer(256);
        new MParticleBatchSerializer().serialize(batch, out);
        assertThat(HexFormat.of().formatHex(out.getCopyOfBuffer())).isEqualTo(expected);
        deepEquals(
                "read back from the pinned bytes",
                batch,
                new MParticleBatchSerializer()
                        .deserialize(new DataInputDeserializer(HexFormat.of().parseHex(expected))));
    }

    private static MParticleBatch roundTrip(MParticleBatch batch) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        new MParticleBatchSerializer().serialize(batch, out);
        return new MParticleBatchSerializer()
                .deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    /** Every batch of the conformance corpus and the fixtures, as the job's parser reads it. */
    private static List<MParticleBatch> parsedSamples() {
        List<byte[]> records = new ArrayList<>();
        Path corpus;
        try {
            corpus =
                    Path.of(
                            Objects.requireNonNull(
                                            MParticleBatchSerializerTest.class.getResource(
                                                    "/mparticle/conformance/"))
                                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    records.add(in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Fixtures.ALL.forEach(name -> records.add(Fixtures.bytes(name)));
        List<MParticleBatch> batches = new ArrayList<>();
        BatchParser parser = new BatchParser(BatchParser.DEFAULT_MAX_RECORD_BYTES, true);
        for (byte[] record : records) {
            ParseResult parsed = parser.parse(record, RECORD_TIME);
            if (!parsed.isRejected()) {
                batches.add(parsed.batch());
            }
        }
        assertThat(batches).as("parsed samples").hasSizeGreaterThan(50);
        return batches;
    }

    /** A batch with every field of every class it is made of set to something not the default. */
    private static MParticleBatch everyFieldSet() {
        MParticleBatch b = new MParticleBatch();
        b.userKey = "123";
        b.hasMpid = true;
        b.mpid = -8_000_000_000_000_000_123L;
        b.timestampMs = 1_764_400_000_123L;
        b.timestampFromRecord = true;
        b.batchId = "batch-1";
        b.customerId = "cust-1";
        b.email = "Zoë@example.com";
        b.userAttributes.add("$FirstName", ValueType.STRING, "Zoë");
        b.userAttributes.add("tag", ValueType.NULL, "");
        b.deletedUserAttributes.add("old");
        b.developmentEnvironment = true;
        b.platform = "iOS";
        b.applicationOs = "IOS";
        b.pushToken = "token-1";
        b.osVersion = "17.1";
        b.deviceModel = "iPhone15,2";
        b.localeLanguage = "fr";
        b.localeCountry = "FR";
        b.applicationVersion = "5.2";
        b.deviceId = "ios_idfv:abc";
        b.eventTimesMs = new long[] {1L, Long.MIN_VALUE};

        MParticleEvent e = new MParticleEvent();
        e.kind = EventKind.COMMERCE_EVENT;
        e.name = "eCommerce - Purchase";
        e.timestampMs = 1_764_400_000_000L;
        e.dedupKey = "msg-1";
        e.attributes = new Attributes();
        e.attributes.add("n", ValueType.NUMBER, "1.50");
        e.optedOut = Boolean.TRUE;
        e.activityType = "activity_started";
        e.identityType = "email";
        e.identity = "new@example.com";
        e.pushRegister = Boolean.FALSE;
        e.pushToken = "token-2";
        e.position = 3;
        CommerceData c = new CommerceData();
        c.productAction = "purchase";
        c.actionFields.add("total_amount", ValueType.NUMBER, "12.5");
        Attributes product = new Attributes();
        product.add("id", ValueType.STRING, "sku-1");
        c.products.add(product);
        c.promotionAction = "view";
        Attributes promotion = new Attributes();
        promotion.add("name", ValueType.STRING, "summer");
        c.promotions.add(promotion);
        ProductImpression impression = new ProductImpression();
        impression.list = "home";
        impression.products.add(product);
        c.impressions.add(impression);
        c.currencyCode = "EUR";
        c.productsNotKept = 4;
        e.commerce = c;
        b.events.add(e);

        ErasureRequest erasure = new ErasureRequest();
        erasure.requestId = "req-1";
        erasure.hasMpid = true;
        erasure.mpid = 123;
        erasure.customerId = "cust-1";
        erasure.email = "x@example.com";
        erasure.timeMs = 5;
        b.erasure = erasure;

        b.sourceTopic = "mparticle-batches";
        b.sourcePartition = 3;
        b.sourceOffset = 42;
        return b;
    }

    /** Every nullable list and object absent, and nulls inside the lists. */
    private static MParticleBatch withNullLists() {
        MParticleBatch b = new MParticleBatch();
        b.userAttributes = null;
        b.deletedUserAttributes = null;
        b.eventTimesMs = null;
        b.events = new ArrayList<>(Arrays.asList(null, new MParticleEvent()));
        MParticleEvent e = b.events.get(1);
        CommerceData c = new CommerceData();
        c.actionFields = null;
        c.products = null;
        c.promotions = new ArrayList<>(Arrays.asList((Attributes) null));
        c.impressions = new ArrayList<>(Arrays.asList((ProductImpression) null));
        e.commerce = c;
        return b;
    }

    private final List<String> visited = new ArrayList<>();

    /** Adds to {@code unset} each field left at its default, descending into batch classes. */
    private void collectUnset(Object value, List<String> unset) throws IllegalAccessException {
        Class<?> type = value.getClass();
        if (!BATCH_CLASSES.contains(type)) {
            return;
        }
        Object fresh;
        try {
            fresh = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            String name = type.getSimpleName() + "." + f.getName();
            visited.add(name);
            Object v = f.get(value);
            Object d = f.get(fresh);
            if (v == null || sameDefault(v, d)) {
                unset.add(name);
                continue;
            }
            if (v instanceof List<?> list) {
                for (Object element : list) {
                    collectUnset(element, unset);
                }
            } else {
                collectUnset(v, unset);
            }
        }
    }

    /** Whether a value is its default: equal to a fresh instance's, or an empty list or array. */
    private static boolean sameDefault(Object v, Object d) {
        if (v instanceof List<?> list) {
            return list.isEmpty();
        }
        if (v.getClass().isArray()) {
            return Array.getLength(v) == 0;
        }
        if (v instanceof Attributes a) {
            return a.size() == 0;
        }
        return v.equals(d);
    }
}
