package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The delta-identify fingerprint: the same attributes in any order give the same value, any change
 * of a name, a value or its type gives another, and it is never 0 ("nothing sent yet").
 */
class ProfileFingerprintTest {

    private static Attributes of(String... nameTypeText) {
        Attributes a = new Attributes();
        for (int i = 0; i < nameTypeText.length; i += 3) {
            a.add(nameTypeText[i], ValueType.valueOf(nameTypeText[i + 1]), nameTypeText[i + 2]);
        }
        return a;
    }

    @Test
    void independentOfOrder() {
        long forward =
                ProfileFingerprint.of(
                        of(
                                "first_name",
                                "STRING",
                                "Ada",
                                "age",
                                "NUMBER",
                                "36",
                                "vip",
                                "BOOLEAN",
                                "true"));
        long backward =
                ProfileFingerprint.of(
                        of(
                                "vip",
                                "BOOLEAN",
                                "true",
                                "age",
                                "NUMBER",
                                "36",
                                "first_name",
                                "STRING",
                                "Ada"));
        assertThat(forward).isEqualTo(backward);
    }

    @Test
    void theSameAttributesAlwaysGiveTheSameFingerprint() {
        assertThat(ProfileFingerprint.of(of("a", "STRING", "1")))
                .isEqualTo(ProfileFingerprint.of(of("a", "STRING", "1")));
    }

    @Test
    void anyChangeGivesAnotherFingerprint() {
        long base = ProfileFingerprint.of(of("age", "NUMBER", "36", "city", "STRING", "Paris"));
        assertThat(ProfileFingerprint.of(of("age", "NUMBER", "37", "city", "STRING", "Paris")))
                .as("a value")
                .isNotEqualTo(base);
        assertThat(ProfileFingerprint.of(of("age", "STRING", "36", "city", "STRING", "Paris")))
                .as("a type")
                .isNotEqualTo(base);
        assertThat(ProfileFingerprint.of(of("Age", "NUMBER", "36", "city", "STRING", "Paris")))
                .as("a name's case")
                .isNotEqualTo(base);
        assertThat(ProfileFingerprint.of(of("age", "NUMBER", "36")))
                .as("an attribute less")
                .isNotEqualTo(base);
        assertThat(
                        ProfileFingerprint.of(
                                of(
                                        "age", "NUMBER", "36", "city", "STRING", "Paris", "x",
                                        "NULL", "")))
                .as("an attribute removed (null) more")
                .isNotEqualTo(base);
    }

    @Test
    void nameAndValueCannotTradeCharacters() {
        assertThat(ProfileFingerprint.of(of("ab", "STRING", "c")))
                .isNotEqualTo(ProfileFingerprint.of(of("a", "STRING", "bc")));
    }

    @Test
    void swappingValuesBetweenNamesIsAChange() {
        assertThat(ProfileFingerprint.of(of("a", "STRING", "1", "b", "STRING", "2")))
                .isNotEqualTo(ProfileFingerprint.of(of("a", "STRING", "2", "b", "STRING", "1")));
    }

    @Test
    void aRepeatedAttributeDoesNotCancelOut() {
        Attributes twice = of("a", "STRING", "1", "a", "STRING", "1");
        assertThat(ProfileFingerprint.of(twice))
                .isNotEqualTo(ProfileFingerprint.of(new Attributes()))
                .isNotEqualTo(ProfileFingerprint.of(of("a", "STRING", "1")));
    }

    @Test
    void neverZero() {
        assertThat(ProfileFingerprint.of(new Attributes())).isNotZero();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            long f = ProfileFingerprint.of(of("n", "NUMBER", Integer.toString(i)));
            assertThat(f).isNotZero();
            seen.add(f);
        }
        // Ten thousand values, ten thousand fingerprints.
        assertThat(seen).hasSize(10_000);
    }
}
