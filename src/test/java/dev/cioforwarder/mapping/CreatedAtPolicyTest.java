package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.codes.Codes;
import org.junit.jupiter.api.Test;

/** customerio.created-at-policy: {@code first-seen} (the default) or {@code first-run-only}. */
class CreatedAtPolicyTest {

    @Test
    void theSettingsCodes() {
        assertThat(CreatedAtPolicy.FIRST_SEEN.code()).isEqualTo("first-seen");
        assertThat(CreatedAtPolicy.FIRST_RUN_ONLY.code()).isEqualTo("first-run-only");
        assertThat(CreatedAtPolicy.FIRST_SEEN).hasToString("first-seen");
        assertThat(CreatedAtPolicy.FIRST_RUN_ONLY).hasToString("first-run-only");
    }

    @Test
    void readsACodeWhateverItsCaseAndSurroundingSpaces() {
        assertThat(Codes.fromCode(CreatedAtPolicy.class, "first-seen"))
                .isEqualTo(CreatedAtPolicy.FIRST_SEEN);
        assertThat(Codes.fromCode(CreatedAtPolicy.class, " First-Run-Only "))
                .isEqualTo(CreatedAtPolicy.FIRST_RUN_ONLY);
    }

    @Test
    void anUnknownPolicyNamesTheAcceptedOnes() {
        assertThat(Codes.accepted(CreatedAtPolicy.class)).isEqualTo("first-seen, first-run-only");
        assertThatThrownBy(() -> Codes.fromCode(CreatedAtPolicy.class, "first_seen"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"first_seen\" is not one of first-seen, first-run-only");
        assertThatThrownBy(() -> Codes.fromCode(CreatedAtPolicy.class, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
