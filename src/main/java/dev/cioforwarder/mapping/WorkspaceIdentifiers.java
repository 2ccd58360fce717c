package dev.cioforwarder.mapping;

import dev.cioforwarder.codes.Coded;

/**
 * Which identifiers the Customer.io workspace has ({@code customerio.workspace-identifiers}).
 * Workspaces created since June 2021 identify people by email or id; older ones may still be "ID
 * only": there {@code email} is an ordinary attribute (two people may share one, and changing it is
 * a plain identify by id), and the App API answers 400 to a look-up by {@code id_type=email}.
 */
public enum WorkspaceIdentifiers implements Coded {
    /** Email and id are both identifiers (the default of workspaces since June 2021). */
    EMAIL_AND_ID("email_and_id"),
    /** Only id is an identifier; email is an attribute. */
    ID_ONLY("id_only");

    private final String code;

    WorkspaceIdentifiers(String code) {
        this.code = code;
    }

    @Override
    public String code() {
        return code;
    }

    /** Whether Customer.io knows people by their email (and keeps emails unique). */
    public boolean emailIsIdentifier() {
        return this == EMAIL_AND_ID;
    }

    /** The code: what settings, logs and Flink's enum options read and write. */
    @Override
    public String toString() {
        return code;
    }
}
