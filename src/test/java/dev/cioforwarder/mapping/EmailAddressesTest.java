package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Which mParticle email identities can serve as a Customer.io email identifier. */
class EmailAddressesTest {

    /** 138 + 12 = 150 bytes, Customer.io's identifier limit. */
    private static final String ASCII_150_BYTES = "e".repeat(138) + "@example.com";

    /** 3 × 2 + 1 + 70 × 2 + 3 = 150 bytes in 77 characters. */
    private static final String ACCENTED_150_BYTES = "ééé@" + "é".repeat(70) + ".io";

    static Stream<String> plausible() {
        return Stream.of(
                "u@x.io",
                "a@b",
                "first.last+tag@example.co.uk",
                "o'brien@example.ie",
                "josé@exämple.de",
                "\"quoted\"@example.com",
                ASCII_150_BYTES,
                ACCENTED_150_BYTES);
    }

    static Stream<String> implausible() {
        return Stream.of(
                "",
                "@",
                "no-at.example.com",
                "@x.io",
                "u@",
                "u@@x.io",
                "a@b@c.io",
                "u ser@x.io",
                "u@x .io",
                " u@x.io",
                "u@x.io ",
                "u\t@x.io",
                "u@x.io\n",
                "u\u00a0@x.io", // no-break space: not Character.isWhitespace, still a space
                "u\u2028@x.io", // line separator
                "u\u3000@x.io", // ideographic space
                "u\u0000@x.io",
                "u\u007f@x.io",
                "e" + ASCII_150_BYTES,
                "a" + ACCENTED_150_BYTES);
    }

    @ParameterizedTest
    @MethodSource("plausible")
    void anAddressWithOneAtTextOnBothSidesAndNoSpaceIsPlausible(String email) {
        assertThat(EmailAddresses.isPlausible(email)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("implausible")
    void anythingElseIsNot(String email) {
        assertThat(EmailAddresses.isPlausible(email)).isFalse();
    }

    @Test
    void theLengthLimitIsInUtf8BytesNotCharacters() {
        assertThat(ACCENTED_150_BYTES.getBytes(StandardCharsets.UTF_8)).hasSize(150);
        assertThat(ACCENTED_150_BYTES).hasSize(77);
    }
}
