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
        // The v1 identify schema refuses decimals; the relaxed check takes JSON values in
        // attributes but still every other rule (here: _timestamp must be an integer).
        assertThat(TrackApiSpec.violations(TrackApiSpec.V1_IDENTIFY, "{\"price\":1.5}"))
                .isNotEmpty();
        assertThat(
                        TrackApiSpec.v1IdentifyViolations(
                                "{\"price\":1.5,\"tags\":[\"a\"],\"o\":{\"b\":1}}"
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(
                        TrackApiSpec.v1IdentifyViolations(
                                "{\"price\":1.5,\"_timestamp\":\"now\"}"
                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isNotEmpty();
        // A v1 screen view needs an anonymous_id.
        assertThat(
                        TrackApiSpec.violations(
                                TrackApiSpec.V1_EVENT, "{\"name\":\"Home\",\"type\":\"screen\"}"))
                .isNotEmpty();
    }
}
