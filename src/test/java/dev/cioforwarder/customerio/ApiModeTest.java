package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.codes.Codes;
import org.junit.jupiter.api.Test;

/** customerio.api-mode: {@code v2-batch} (the default) or {@code v1}. */
class ApiModeTest {

    @Test
    void theSettingsCodes() {
        assertThat(ApiMode.V2_BATCH.code()).isEqualTo("v2-batch");
        assertThat(ApiMode.V1.code()).isEqualTo("v1");
        assertThat(ApiMode.V2_BATCH).hasToString("v2-batch");
    }

    @Test
    void readsACodeWhateverItsCaseAndSurroundingSpaces() {
        assertThat(Codes.fromCode(ApiMode.class, "v1")).isEqualTo(ApiMode.V1);
        assertThat(Codes.fromCode(ApiMode.class, " V2-Batch\n")).isEqualTo(ApiMode.V2_BATCH);
    }

    @Test
    void anUnknownModeNamesTheAcceptedOnes() {
        assertThat(Codes.accepted(ApiMode.class)).isEqualTo("v2-batch, v1");
        assertThatThrownBy(() -> Codes.fromCode(ApiMode.class, "v2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"v2\" is not one of v2-batch, v1");
    }
}
