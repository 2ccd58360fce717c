package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cioforwarder.codes.Codes;
import org.junit.jupiter.api.Test;

/**
 * customerio.workspace-identifiers: {@code email_and_id} (workspaces since June 2021) or {@code
 * id_only}, where email is an attribute, not an identifier.
 */
class WorkspaceIdentifiersTest {

    @Test
    void theSettingsCodes() {
        assertThat(WorkspaceIdentifiers.EMAIL_AND_ID.code()).isEqualTo("email_and_id");
        assertThat(WorkspaceIdentifiers.ID_ONLY.code()).isEqualTo("id_only");
        assertThat(WorkspaceIdentifiers.ID_ONLY).hasToString("id_only");
    }

    @Test
    void emailIsAnIdentifierOnlyInEmailAndIdWorkspaces() {
        assertThat(WorkspaceIdentifiers.EMAIL_AND_ID.emailIsIdentifier()).isTrue();
        assertThat(WorkspaceIdentifiers.ID_ONLY.emailIsIdentifier()).isFalse();
    }

    @Test
    void readsACodeWhateverItsCaseAndSurroundingSpaces() {
        assertThat(Codes.fromCode(WorkspaceIdentifiers.class, "id_only"))
                .isEqualTo(WorkspaceIdentifiers.ID_ONLY);
        assertThat(Codes.fromCode(WorkspaceIdentifiers.class, " EMAIL_AND_ID\t"))
                .isEqualTo(WorkspaceIdentifiers.EMAIL_AND_ID);
    }

    @Test
    void anUnknownValueNamesTheAcceptedOnes() {
        assertThat(Codes.accepted(WorkspaceIdentifiers.class)).isEqualTo("email_and_id, id_only");
        assertThatThrownBy(() -> Codes.fromCode(WorkspaceIdentifiers.class, "id-only"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"id-only\" is not one of email_and_id, id_only");
    }
}
