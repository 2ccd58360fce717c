package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertThat(Environments.parse(setting).forwards(batchEnvironment)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(value = {"''", "staging", "'production,'", "'production;development'"})
    void refusesAnythingButProductionAndDevelopment(String setting) {
        assertThatThrownBy(() -> Environments.parse(setting))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not production or development");
    }
}
