package dev.cioforwarder.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Proves the spec validator used by the encoder tests can tell valid bodies from invalid ones. */
class TrackApiSpecTest {

    @Test
    void acceptsTheSpecsOwnExamples() {
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V2_BATCH_ITEM,
                                "{\"type\":\"person\",\"identifiers\":{\"id\":\"42\"},\"action\":\"event\","
                                    + "\"name\":\"purchase\",\"attributes\":{\"price\":29.99}}"))
                .isEmpty();
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V1_EVENT,
                                "{\"name\":\"purchase\",\"data\":{\"price\":23.45}}"))
                .isEmpty();
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V1_IDENTIFY, "{\"email\":\"a@b.io\",\"plan\":\"x\"}"))
                .isEmpty();
    }

    @Test
    void refusesBodiesThatBreakTheDescription() {
        // An event without its required name.
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V2_BATCH_ITEM,
                                "{\"type\":\"person\",\"identifiers\":{\"id\":\"42\"},\"action\":\"event\"}"))
                .isNotEmpty();
        // A timestamp that is not an integer.
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V2_BATCH_ITEM,
                                "{\"type\":\"person\",\"identifiers\":{\"id\":\"42\"},\"action\":\"identify\","
                                    + "\"timestamp\":\"now\"}"))
                .isNotEmpty();
        // Two identifiers at once.
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V2_BATCH_ITEM,
                                "{\"type\":\"person\",\"identifiers\":{\"id\":\"42\",\"email\":\"a@b.io\"},"
                                    + "\"action\":\"identify\"}"))
                .isNotEmpty();
        // v1 identify values may not be decimals.
        assertThat(TrackApiSpec.violations(TrackApiSpec.V1_IDENTIFY, "{\"price\":1.5}"))
                .isNotEmpty();
        // A v1 screen view needs an anonymous_id.
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V1_EVENT, "{\"name\":\"Home\",\"type\":\"screen\"}"))
                .isNotEmpty();
    }
}
