package dev.cioforwarder.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both request shapes are read; anything else is refused with a reason that quotes no value. */
class ErasureRequestParserTest {

    private static final long RECORD_TIME = 1_764_000_000_000L;

    private static ErasureRequestParser.Result parse(String json) {
        return new ErasureRequestParser().parse(json.getBytes(StandardCharsets.UTF_8), RECORD_TIME);
    }

    @Test
    void readsTheForwardersOwnShape() {
        ErasureRequest r =
                parse(
                                "{\"request_id\":\"r-1\",\"mpid\":-8901234567890123456,"
                                        + "\"customer_id\":\" c-1 \",\"email\":\"a@x.io\","
                                        + "\"time_ms\":1764000123456}")
                        .request();
        assertThat(r.requestId).isEqualTo("r-1");
        assertThat(r.hasMpid).isTrue();
        // Exact: a 64-bit MPID never goes through a double.
        assertThat(r.mpid).isEqualTo(-8901234567890123456L);
        assertThat(r.customerId).isEqualTo("c-1");
        assertThat(r.email).isEqualTo("a@x.io");
        assertThat(r.timeMs).isEqualTo(1_764_000_123_456L);
    }

    @Test
    void takesTheRecordTimeWhenTheRequestHasNoneAndAnMpidAsText() {
        ErasureRequest r = parse("{\"request_id\":\"r-2\",\"mpid\":\"42\"}").request();
        assertThat(r.mpid).isEqualTo(42);
        assertThat(r.timeMs).isEqualTo(RECORD_TIME);
        assertThat(r.customerId).isNull();
    }

    @Test
    void readsAnOpenDsrRequestWithItsMParticleExtension() {
        // OpenDSR, as mParticle forwards data subject requests: identities as an array, MPIDs in
        // mParticle's extension; one request per MPID.
        var result =
                parse(
                        "{\"subject_request_id\":\"a7f2f3a6-5b1e-4c4e\","
                                + "\"subject_request_type\":\"erasure\","
                                + "\"submitted_time\":\"2026-11-30T10:15:00Z\","
                                + "\"subject_identities\":["
                                + "{\"identity_type\":\"email\",\"identity_value\":\"a@x.io\","
                                + "\"identity_format\":\"raw\"},"
                                + "{\"identity_type\":\"controller_customer_id\","
                                + "\"identity_value\":\"c-1\",\"identity_format\":\"raw\"},"
                                + "{\"identity_type\":\"ios_advertising_id\","
                                + "\"identity_value\":\"6D92078A-8246-4BA4-AE5B-76104861E7DC\","
                                + "\"identity_format\":\"raw\"}],"
                                + "\"api_version\":\"1.0\","
                                + "\"extensions\":{\"opendsr.mparticle.com\":"
                                + "{\"mpids\":[1234567890,-5678901234567890123]}}}");
        assertThat(result.requests()).hasSize(2);
        assertThat(result.requests())
                .extracting(r -> r.mpid)
                .containsExactly(1_234_567_890L, -5_678_901_234_567_890_123L);
        for (ErasureRequest r : result.requests()) {
            assertThat(r.requestId).isEqualTo("a7f2f3a6-5b1e-4c4e");
            assertThat(r.email).isEqualTo("a@x.io");
            assertThat(r.customerId).isEqualTo("c-1");
            assertThat(r.timeMs).isEqualTo(1_796_033_700_000L);
        }
    }

    @Test
    void readsADsrApiV3RequestAndIgnoresHashedIdentities() {
        ErasureRequest r =
                parse(
                                "{\"regulation\":\"gdpr\",\"subject_request_id\":\"r-v3\","
                                    + "\"subject_request_type\":\"erasure\","
                                    + "\"submitted_time\":\"2026-11-30T10:15:00Z\","
                                    + "\"subject_identities\":{"
                                    + "\"controller_customer_id\":{\"value\":\"c-9\","
                                    + "\"encoding\":\"raw\"},"
                                    + "\"email\":{\"value\":\"5d41402abc4b2a76b9719d911017c592\","
                                    + "\"encoding\":\"md5\"}}}")
                        .request();
        assertThat(r.requestId).isEqualTo("r-v3");
        assertThat(r.customerId).isEqualTo("c-9");
        // A hash addresses nobody in Customer.io.
        assertThat(r.email).isNull();
        assertThat(r.hasMpid).isFalse();
    }

    @Test
    void refusesARequestWhoseOnlyIdentitiesAreHashed() {
        var result =
                parse(
                        "{\"subject_request_id\":\"r\",\"subject_request_type\":\"erasure\","
                                + "\"subject_identities\":[{"
                                + "\"identity_type\":\"email\",\"identity_value\":\"5d41402a\","
                                + "\"identity_format\":\"sha256\"}]}");
        assertThat(result.requests()).isEmpty();
        assertThat(result.problem()).isEqualTo("the request names no MPID, customer_id or email");
    }

    /**
     * mParticle's DSR API v3 erasure request as its documentation shows it: the MPID is named in
     * the mParticle extension's own subject_identities, the only identity of the request.
     */
    @Test
    void readsTheMpidOfMParticlesDsrApiV3Request() {
        var result =
                parse(
                        "{\"regulation\":\"gdpr\","
                            + "\"subject_request_id\":\"a7551968-d5d6-44b2-9831-815ac9017798\","
                            + "\"subject_request_type\":\"erasure\","
                            + "\"submitted_time\":\"2018-10-02T15:00:00Z\","
                            + "\"skip_waiting_period\":true,\"api_version\":\"3.0\","
                            + "\"status_callback_urls\":[\"https://exampleurl.com/opendsr/callbacks\"],"
                            + "\"group_id\":\"my-group\","
                            + "\"extensions\":{\"opendsr.mparticle.com\":{"
                            + "\"subject_identities\":{\"mpid\":{\"value\":\"-7636538281262557041\","
                            + "\"encoding\":\"raw\"}}}}}");
        assertThat(result.problem()).isNull();
        assertThat(result.requests())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.requestId)
                                    .isEqualTo("a7551968-d5d6-44b2-9831-815ac9017798");
                            assertThat(r.hasMpid).isTrue();
                            assertThat(r.mpid).isEqualTo(-7636538281262557041L);
                            assertThat(r.timeMs).isEqualTo(1538492400000L);
                        });
    }

    @Test
    void aDataSubjectRequestThatDoesNotSayItIsAnErasureErasesNobody() {
        var result =
                parse(
                        "{\"subject_request_id\":\"s\","
                                + "\"subject_identities\":{\"email\":{\"value\":\"a@x.io\"}}}");
        assertThat(result.requests()).isEmpty();
        assertThat(result.problem())
                .isEqualTo("subject_request_type is missing; only erasure requests are applied");
    }

    @Test
    void refusesADataSubjectRequestOfAnotherType() {
        var result =
                parse(
                        "{\"subject_request_id\":\"s\",\"subject_request_type\":\"access\","
                                + "\"subject_identities\":{\"email\":{\"value\":\"a@x.io\"}}}");
        assertThat(result.request()).isNull();
        assertThat(result.problem()).isEqualTo("subject_request_type is not erasure");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''|the record has no value",
                "{\"request_id\":|the record is not JSON",
                "[1]|an erasure request must be a JSON object",
                "{\"mpid\":1}|the request has no id",
                "{\"request_id\":\"r\"}|the request names no MPID, customer_id or email",
                "{\"request_id\":\"r\",\"email\":\"  \"}|the request names no MPID, customer_id or"
                        + " email",
                "{\"request_id\":\"r\",\"mpid\":\"abc\"}|the MPID is not a 64-bit integer",
                "{\"request_id\":\"r\",\"mpid\":99999999999999999999}|the MPID is not a 64-bit"
                        + " integer",
                "{\"request_id\":\"r\",\"mpid\":1,\"time_ms\":\"soon\"}|time_ms is not a number of"
                        + " milliseconds",
                "{\"subject_request_id\":\"s\",\"subject_request_type\":\"erasure\",\"submitted_time\":\"yesterday\",\"subject_identities\":{\"email\":{\"value\":\"a@x.io\"}}}|submitted_time"
                    + " is not an ISO-8601 instant"
            })
    void refusesWhatIsNotARequestSaying(String json, String problem) {
        var result = parse(json);
        assertThat(result.request()).isNull();
        assertThat(result.problem()).isEqualTo(problem);
    }

    @Test
    void neverQuotesTheRecordInItsReason() {
        var result = parse("{\"request_id\":\"r\",\"mpid\":\"secret@x.io\"}");
        assertThat(result.problem()).doesNotContain("secret");
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        var result =
                new ErasureRequestParser().parse(new byte[] {'{', (byte) 0xC3, '}'}, RECORD_TIME);
        assertThat(result.problem()).isEqualTo("the record is not valid UTF-8");
    }
}
