package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.Region;
import dev.cioforwarder.simulator.CustomerioSimulator;
import dev.cioforwarder.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CredentialsCheckTest {

    private static CredentialsCheck.Result check(
            String simulatorRegion, String key, Region configured) throws Exception {
        try (CustomerioSimulator sim =
                        CustomerioSimulator.start(
                                SimulatorConfig.builder()
                                        .siteId("site")
                                        .apiKey("right-key")
                                        .region(simulatorRegion)
                                        .build());
                CustomerioClient client =
                        new CustomerioClient(
                                sim.baseUrl(), "site", key, Duration.ofSeconds(5), 1, "check")) {
            HttpResult r = client.region().get(10, TimeUnit.SECONDS);
            return CredentialsCheck.evaluate(
                    r,
                    configured,
                    "site",
                    sim.baseUrl(),
                    "environment variable CUSTOMERIO_API_KEY");
        }
    }

    @Test
    void rightKeyAndRegionIsOk() throws Exception {
        CredentialsCheck.Result r = check("us", "right-key", Region.US);
        assertThat(r.verdict()).isEqualTo(CredentialsCheck.Verdict.OK);
        assertThat(r.message()).contains("region us");
    }

    @Test
    void aWrongKeySaysWhereTheKeyComesFromAndNeverShowsIt() throws Exception {
        CredentialsCheck.Result r = check("us", "wrong-key-value", Region.US);
        assertThat(r.verdict()).isEqualTo(CredentialsCheck.Verdict.WRONG_CREDENTIALS);
        assertThat(r.message())
                .contains("refused the credentials for site id site")
                .contains("environment variable CUSTOMERIO_API_KEY")
                .contains("Nothing is dropped")
                .doesNotContain("wrong-key-value")
                .doesNotContain("right-key");
    }

    @Test
    void anEuKeyOnTheUsSettingSaysWhichRegionToSet() throws Exception {
        CredentialsCheck.Result r = check("eu", "right-key", Region.US);
        assertThat(r.verdict()).isEqualTo(CredentialsCheck.Verdict.WRONG_REGION);
        assertThat(r.message())
                .contains("is in region eu but customerio.region is us")
                .contains("set customerio.region: eu (https://track-eu.customer.io)");
    }

    @Test
    void anUnreachableHostIsReportedAsSuch() {
        CredentialsCheck.Result r =
                CredentialsCheck.evaluate(
                        HttpResult.networkError("connection refused"),
                        Region.US,
                        "site",
                        "http://127.0.0.1:1",
                        "x");
        assertThat(r.verdict()).isEqualTo(CredentialsCheck.Verdict.UNREACHABLE);
        assertThat(r.message()).contains("unreachable (connection refused)");
    }

    @Test
    void anOutageIsNotReportedAsAWrongEndpoint() {
        CredentialsCheck.Result r =
                CredentialsCheck.evaluate(
                        HttpResult.response(503, "", -1), Region.US, "site", "https://x", "x");
        assertThat(r.verdict()).isEqualTo(CredentialsCheck.Verdict.UNAVAILABLE);
        assertThat(r.message())
                .contains("answered HTTP 503 (Customer.io unavailable or throttling)")
                .doesNotContain("customerio.endpoint");
    }

    @Test
    void anUnknownStatusStillPointsAtTheEndpoint() {
        CredentialsCheck.Result r =
                CredentialsCheck.evaluate(
                        HttpResult.response(404, "", -1), Region.US, "site", "https://x", "x");
        assertThat(r.verdict()).isEqualTo(CredentialsCheck.Verdict.UNEXPECTED);
        assertThat(r.message()).contains("is customerio.endpoint right?");
    }
}
