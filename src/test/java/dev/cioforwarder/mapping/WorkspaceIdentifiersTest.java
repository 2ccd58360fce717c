package dev.cioforwarder.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThat(WorkspaceIdentifiers.fromCode("id_only"))
                .isEqualTo(WorkspaceIdentifiers.ID_ONLY);
        assertThat(WorkspaceIdentifiers.fromCode(" EMAIL_AND_ID\t"))
                .isEqualTo(WorkspaceIdentifiers.EMAIL_AND_ID);
    }

    @Test
    void anUnknownValueNamesTheAcceptedOnes() {
        assertThat(WorkspaceIdentifiers.accepted()).isEqualTo("email_and_id, id_only");
        assertThatThrownBy(() -> WorkspaceIdentifiers.fromCode("id-only"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"id-only\" is not one of email_and_id, id_only");
    }
}
