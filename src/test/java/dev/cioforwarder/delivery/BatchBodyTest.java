package dev.cioforwarder.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Reading which operations of a batch a 207 answer refused, and why. */
class BatchBodyTest {

    @Test
    void theListedOperationsCarryTheirErrorTheOthersNothing() throws Exception {
        String answer =
                "{\"errors\":[{\"batch_index\":1,\"reason\":\"invalid\",\"field\":\"name\"},"
                        + "{\"batch_index\":3,\"reason\":\"too long\"}]}";
        String[] reasons = BatchBody.refusals(answer, 4);
        assertThat(reasons[0]).isNull();
        assertThat(reasons[1])
                .isEqualTo("{\"batch_index\":1,\"reason\":\"invalid\",\"field\":\"name\"}");
        assertThat(reasons[2]).isNull();
        assertThat(reasons[3]).isEqualTo("{\"batch_index\":3,\"reason\":\"too long\"}");
    }

    @Test
    void indicesOutsideTheBatchOrMissingAreIgnored() throws Exception {
        String answer =
                "{\"errors\":[{\"batch_index\":2},{\"batch_index\":-1},{\"reason\":\"x\"},"
                        + "{\"batch_index\":\"zero\"}]}";
        assertThat(BatchBody.refusals(answer, 2)).containsExactly(null, null);
        assertThat(BatchBody.refusals("", 2))
                .as("an empty answer lists nobody")
                .containsOnlyNulls();
        assertThat(BatchBody.refusals("{}", 1)).containsOnlyNulls();
    }

    @Test
    void anAnswerThatIsNotJsonCannotBeRead() {
        assertThatThrownBy(() -> BatchBody.refusals("<html>", 2)).isInstanceOf(IOException.class);
    }
}
