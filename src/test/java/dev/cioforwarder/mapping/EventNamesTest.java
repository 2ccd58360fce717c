package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The name rule of docs/mapping.md: trimmed, every space becomes {@code _}; empty after trimming or
 * over 100 bytes (UTF-8) is not a name Customer.io accepts.
 */
class EventNamesTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "\"  Add To Cart \"  | Add_To_Cart",
                "Add_To_Cart         | Add_To_Cart",
                "\"a  b\"            | a__b",
                "Checkout            | Checkout",
                "\"caf\u00e9 au lait\" | caf\u00e9_au_lait",
            })
    void trimsThenTurnsEverySpaceIntoAnUnderscore(String raw, String expected) {
        assertThat(EventNames.normalize(raw)).isEqualTo(expected);
    }

    @Test
    void trimsEveryKindOfWhitespaceButReplacesOnlySpaces() {
        assertThat(EventNames.normalize("\t\n Add To Cart\r\n")).isEqualTo("Add_To_Cart");
        assertThat(EventNames.normalize("\u2003Signed Up\u3000")).isEqualTo("Signed_Up");
        assertThat(EventNames.normalize("Add\tTo Cart")).isEqualTo("Add\tTo_Cart");
    }

    @Test
    void whitespaceOnlyBecomesEmpty() {
        assertThat(EventNames.normalize("   \t ")).isEmpty();
        assertThat(EventNames.check(EventNames.normalize("   \t ")))
                .isEqualTo("empty after trimming");
    }

    @Test
    void neverTruncates() {
        String long150 = "x".repeat(150);
        assertThat(EventNames.normalize(long150)).isEqualTo(long150);
    }

    @Test
    void aNameOfAtMostOneHundredBytesIsAccepted() {
        assertThat(EventNames.check("Add_To_Cart")).isNull();
        assertThat(EventNames.check("x")).isNull();
        assertThat(EventNames.check("x".repeat(100))).isNull();
        // 50 two-byte characters: 100 bytes.
        assertThat(EventNames.check("\u00e9".repeat(50))).isNull();
        // 96 ASCII bytes and one four-byte emoji: 100 bytes.
        assertThat(EventNames.check("x".repeat(96) + "\uD83D\uDE00")).isNull();
    }

    @Test
    void aNameOverOneHundredBytesSaysItsSize() {
        assertThat(EventNames.check("x".repeat(101)))
                .isEqualTo("101 bytes; Customer.io accepts at most 100");
        // 97 ASCII bytes and one emoji: 101 bytes in 98 characters.
        assertThat(EventNames.check("x".repeat(97) + "\uD83D\uDE00"))
                .isEqualTo("101 bytes; Customer.io accepts at most 100");
        // 34 three-byte characters: 102 bytes.
        assertThat(EventNames.check("\u20ac".repeat(34)))
                .isEqualTo("102 bytes; Customer.io accepts at most 100");
    }
}
