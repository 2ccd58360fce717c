package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A person identifier or push token as one URL path segment, as JavaScript's {@code
 * encodeURIComponent} writes it (what customerio-node does; the Track API digest: "a {@code /}
 * becomes {@code %2F}").
 */
class PathSegmentTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "cust-1001                    | cust-1001",
                "a/b                          | a%2Fb",
                "/                            | %2F",
                "a b                          | a%20b",
                "\" lead and trail \"         | %20lead%20and%20trail%20",
                "ada@example.com              | ada%40example.com",
                "a+b                          | a%2Bb",
                "a?b#c&d=e                    | a%3Fb%23c%26d%3De",
                "100%                         | 100%25",
                "a:b;c,d                      | a%3Ab%3Bc%2Cd",
                "[x]{y}                       | %5Bx%5D%7By%7D",
                "ü                            | %C3%BC",
                "Zoë Ødegård                  | Zo%C3%AB%20%C3%98deg%C3%A5rd",
                "€                            | %E2%82%AC",
                "中文                          | %E4%B8%AD%E6%96%87",
                "😀                           | %F0%9F%98%80",
            })
    void escapesLikeEncodeUriComponent(String value, String expected) {
        assertThat(PathSegment.encode(value)).isEqualTo(expected);
    }

    @Test
    void leavesTheCharactersEncodeUriComponentLeaves() {
        String unreserved =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()";
        assertThat(PathSegment.encode(unreserved)).isEqualTo(unreserved);
    }

    @Test
    void controlCharactersAreEscaped() {
        assertThat(PathSegment.encode("a\tb\nc\u0000d\u007f")).isEqualTo("a%09b%0Ac%00d%7F");
        assertThat(PathSegment.encode("a\"b\\c")).isEqualTo("a%22b%5Cc");
    }

    @Test
    void dotSegmentsAreEscapedSoNoHttpStackResolvesThem() {
        assertThat(PathSegment.encode(".")).isEqualTo("%2E");
        assertThat(PathSegment.encode("..")).isEqualTo("%2E%2E");
        // Only the two relative segments: dots inside a longer value are plain characters.
        assertThat(PathSegment.encode("...")).isEqualTo("...");
        assertThat(PathSegment.encode("a.b")).isEqualTo("a.b");
        assertThat(PathSegment.encode("../x")).isEqualTo("..%2Fx");
    }

    @Test
    void anEmptyValueStaysEmpty() {
        assertThat(PathSegment.encode("")).isEmpty();
    }

    @Test
    void theHexDigitsAreUpperCase() {
        assertThat(PathSegment.encode("\u00ff")).isEqualTo("%C3%BF");
    }
}
