package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Deterministic event ids: 26 Crockford base-32 characters (the Track API's ULID), a 48-bit time
 * prefix from the event time, the rest the first 80 bits of SHA-256 over the user, a zero byte and
 * the dedup key. The expected ids were worked out apart from this code (the ULID spec's layout and
 * a separate SHA-256), so a change of the derivation, which would make replays count twice, fails
 * here.
 */
class UlidTest {

    private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private final Ulid ulid = new Ulid();

    @Test
    void theSameEventAlwaysGetsTheSameId() {
        assertThat(ulid.of(1764320400000L, "7", "msg-1")).isEqualTo("01KB4V1MM06Y3J8DEFDKJ4Z1RF");
        assertThat(ulid.of(1764320400000L, "7", "msg-1")).isEqualTo("01KB4V1MM06Y3J8DEFDKJ4Z1RF");
        assertThat(new Ulid().of(1764320400000L, "7", "msg-2"))
                .isEqualTo("01KB4V1MM0B1DS0RAY7R5H7ZCR");
    }

    @Test
    void userAndKeyAreHashedAsUtf8() {
        assertThat(ulid.of(1764320400000L, "\u00e9\uD83D\uDE00", "k\u20ac"))
                .isEqualTo("01KB4V1MM0J881E7YKX7N0ZVRY");
    }

    @Test
    void theTimePrefixIsTheUlidSpecsEncodingOfTheMilliseconds() {
        // The ULID spec's example: 01ARYZ6S41... decodes to 1469918176385.
        assertThat(ulid.of(1469918176385L, "u", "k")).isEqualTo("01ARYZ6S41QPGAVGEBK8SNA6PZ");
        assertThat(ulid.of(1469918176385L, "u", "k")).startsWith("01ARYZ6S41");
    }

    @Test
    void timesOutsideFortyEightBitsAreClamped() {
        assertThat(ulid.of(0, "u", "k")).isEqualTo("0000000000QPGAVGEBK8SNA6PZ");
        assertThat(ulid.of(-5, "u", "k")).isEqualTo("0000000000QPGAVGEBK8SNA6PZ");
        assertThat(ulid.of(Long.MIN_VALUE, "u", "k")).startsWith("0000000000");
        // The largest ULID time, 2^48 - 1, is 7ZZZZZZZZZ.
        assertThat(ulid.of(1L << 60, "u", "k")).isEqualTo("7ZZZZZZZZZQPGAVGEBK8SNA6PZ");
        assertThat(ulid.of(Long.MAX_VALUE, "u", "k")).startsWith("7ZZZZZZZZZ");
    }

    @Test
    void everyIdIs26CrockfordCharactersAndValid() {
        for (long t : new long[] {0, 1, 999, 1764320400000L, (1L << 48) - 1}) {
            for (String key : new String[] {"", "a", "batch-1:0", "\u00fc/\u4e2d"}) {
                String id = ulid.of(t, "user-" + t, key);
                assertThat(id).hasSize(26);
                assertThat(id.chars()).allMatch(c -> CROCKFORD.indexOf(c) >= 0);
                assertThat(id.charAt(0)).isBetween('0', '7');
                assertThat(Ulid.isValid(id)).as(id).isTrue();
            }
        }
    }

    @Test
    void laterEventsSortAfterEarlierOnesWhateverTheirHash() {
        String previous = null;
        for (long t = 1764320400000L; t < 1764320400000L + 2_000; t += 97) {
            // A different key each time: only the time prefix may order them.
            String id = ulid.of(t, "7", "msg-" + (5_000 - t % 5_000));
            if (previous != null) {
                assertThat(id).isGreaterThan(previous);
            }
            previous = id;
        }
    }

    @Test
    void withinOneMillisecondIdsShareTheTimePrefixAndDifferByKeyNotByCallOrder() {
        // Deterministic by design (replays must get the same id), so not monotonic within a
        // millisecond as random ULIDs are: the order there is the hashes', stable across calls.
        String a = ulid.of(1764320400000L, "7", "msg-1");
        String b = ulid.of(1764320400000L, "7", "msg-2");
        assertThat(a.substring(0, 10)).isEqualTo(b.substring(0, 10)).isEqualTo("01KB4V1MM0");
        assertThat(a).isNotEqualTo(b);
        assertThat(ulid.of(1764320400000L, "7", "msg-2")).isEqualTo(b);
        assertThat(ulid.of(1764320400000L, "8", "msg-1")).isNotEqualTo(a);
    }

    @Test
    void theUserAndKeyAreSeparatedSoTheirBoundaryCannotMove() {
        assertThat(ulid.of(1, "ab", "c")).isNotEqualTo(ulid.of(1, "a", "bc"));
    }

    @Test
    void encodesOneHundredTwentyEightBitsAs26Characters() {
        assertThat(Ulid.encode(0, 0)).isEqualTo("00000000000000000000000000");
        assertThat(Ulid.encode(0, 1)).isEqualTo("00000000000000000000000001");
        assertThat(Ulid.encode(0, 32)).isEqualTo("00000000000000000000000010");
        // The ULID spec's largest value.
        assertThat(Ulid.encode(-1, -1)).isEqualTo("7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
    }

    @Test
    void validityIsTheUlidSyntax() {
        assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAV")).isTrue();
        assertThat(Ulid.isValid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")).isTrue();
        assertThat(Ulid.isValid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")).as("above 2^128").isFalse();
        assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FA")).as("25 characters").isFalse();
        assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAVX")).as("27 characters").isFalse();
        assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAv")).as("lower case").isFalse();
        for (char excluded : new char[] {'I', 'L', 'O', 'U'}) {
            assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FA" + excluded))
                    .as("Crockford has no " + excluded)
                    .isFalse();
        }
        assertThat(Ulid.isValid("01ARYZ6S41-SV4RRFFQ69G5FAV")).isFalse();
        assertThat(Ulid.isValid("")).isFalse();
        assertThat(Ulid.isValid(null)).isFalse();
    }
}
