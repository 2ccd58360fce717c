package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** mparticle.environments: which batches go on, by their top-level environment. */
class EnvironmentsTest {

    @ParameterizedTest(name = "{0} forwards environment {1}: {2}")
    @CsvSource(
            nullValues = "-",
            value = {
                "'production,development',production,true",
                "'production,development',development,true",
                "'production,development',-,true",
                "production,production,true",
                "production,development,false",
                "production,DEVELOPMENT,false",
                "production,' development ',false",
                // Without the field, or with a value mParticle does not define: production data.
                "production,-,true",
                "production,staging,true",
                "development,development,true",
                "development,production,false",
                "development,-,false",
                "development,staging,false",
                "' Development , production ',development,true"
            })
    void forwards(String setting, String batchEnvironment, boolean expected) {
        // Through the parser, which reads the field (without a string per batch).
        String json =
                "{\"mpid\":1"
                        + (batchEnvironment == null
                                ? ""
                                : ",\"environment\":\"" + batchEnvironment + "\"")
                        + "}";
        MParticleBatch batch =
                new BatchParser().parse(json.getBytes(StandardCharsets.UTF_8), 0L).batch();
        assertThat(Environments.parse(setting).forwards(batch.developmentEnvironment))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "null", "{}", "[\"development\"]"})
    void anEnvironmentThatIsNotAStringIsProductionDataNotARejection(String value) {
        ParseResult result =
                new BatchParser()
                        .parse(
                                ("{\"mpid\":1,\"environment\":" + value + "}")
                                        .getBytes(StandardCharsets.UTF_8),
                                0L);
        assertThat(result.isRejected()).isFalse();
        assertThat(result.batch().developmentEnvironment).isFalse();
    }

    @ParameterizedTest
    @CsvSource(value = {"''", "staging", "'production,'", "'production;development'"})
    void refusesAnythingButProductionAndDevelopment(String setting) {
        assertThatThrownBy(() -> Environments.parse(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not production or development");
    }
}
