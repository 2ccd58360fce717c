package dev.cioforwarder.mparticle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.deadletter.DeadLetterReason;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BatchReaderTest {

    private static final long RECORD_TIME = 1_700_000_000_000L;

    private static ParseResult read(String json) throws IOException {
        return new BatchReader(JsonCursors.over(json), RECORD_TIME, false).readBatch();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "development|true",
                "'  Development\t'|true",
                "DEVELOPMENT|true",
                "develop|false",
                "production|false",
                "''|false"
            })
    void recognisesTheDevelopmentEnvironmentInTheParsersCharacters(
            String environment, boolean development) {
        char[] chars = ("xx" + environment + "yy").toCharArray();

        assertThat(BatchReader.isDevelopment(chars, 2, environment.length()))
                .isEqualTo(development);
    }

    @Test
    void anEventWithoutAnIdIsNamedByTheBatchIdAndItsPosition() throws IOException {
        ParseResult result =
                read(
                        "{\"source_request_id\":\"r-1\",\"message_id\":\"m-1\",\"events\":"
                            + "[{\"event_type\":\"screen_view\"},{\"event_type\":\"screen_view\","
                            + "\"data\":{\"source_message_id\":\"s-9\"}}]}");

        MParticleBatch batch = result.batch();
        assertThat(batch.batchId).isEqualTo("r-1");
        assertThat(batch.timestampMs).isEqualTo(RECORD_TIME);
        assertThat(batch.timestampFromRecord).isTrue();
        assertThat(batch.events)
                .extracting(e -> e.dedupKey)
                .containsExactly("batch:r-1#0", "smid:s-9");
    }

    @Test
    void withoutABatchIdTheBatchsOwnTimeNamesIt() throws IOException {
        MParticleBatch batch =
                read("{\"timestamp_unixtime_ms\":1234,"
                                + "\"events\":[{\"event_type\":\"screen_view\"}]}")
                        .batch();

        assertThat(batch.timestampFromRecord).isFalse();
        assertThat(batch.events.get(0).dedupKey).isEqualTo("batch:1234#0");
    }

    @Test
    void withNeitherTheEventsOwnBytesNameIt() throws IOException {
        MParticleBatch batch = read("{\"events\":[{\"event_type\":\"screen_view\"}]}").batch();

        // SHA-256 of {"event_type":"screen_view"}, its first 128 bits.
        assertThat(batch.events.get(0).dedupKey)
                .isEqualTo("content:ffd3249c84622f19f887a4b149efae64#0");
    }

    @Test
    void anIdentityChangeKeysABatchWithoutIdentities() throws IOException {
        MParticleBatch batch =
                read("{\"events\":[{\"event_type\":\"user_identity_change\",\"data\":"
                                + "{\"new\":{\"identity_type\":\"email\","
                                + "\"identity\":\"a@b.c\"}}}]}")
                        .batch();

        assertThat(batch.email).isNull();
        assertThat(batch.userKey).isEqualTo("email:a@b.c");
    }

    @Test
    void aRecordThatIsNotAnObjectIsRejectedAsSuch() {
        assertThatThrownBy(() -> read("[1]"))
                .isInstanceOfSatisfying(
                        ParseFailures.BatchError.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.NOT_AN_OBJECT))
                .hasMessage("the batch must be a JSON object, found an array");
    }
}
