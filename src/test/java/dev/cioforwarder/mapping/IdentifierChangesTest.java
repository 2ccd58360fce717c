package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.IdentifierChange;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.customerio.PersonIdentifier;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With an App API key, changed identifiers are applied (through cio_id, in delivery): the rules
 * emit the change first, alone, and address the person by the new identifier from then on.
 */
class IdentifierChangesTest {

    private static final MappingSettings WITH_APP_API =
            MappingSettings.defaults().toBuilder().applyIdentifierChanges(true).build();

    private static IdentifierChange change(Op op) {
        assertThat(op.kind()).isEqualTo(OperationKind.IDENTIFIER_CHANGE);
        assertThat(op.raw.needsOwnRequest()).isTrue();
        return IdentifierChange.decode(op.raw.body);
    }

    @Test
    void aChangedCustomerIdIsAppliedAndAddressesThePersonFromThenOn() {
        User user = new User(WITH_APP_API);
        user.apply(batch().at(T).customerId("c-old").json());
        List<Op> ops =
                user.apply(
                        batch().at(T + 10_000)
                                .customerId("c-new")
                                .attributes("{\"plan\":\"pro\"}")
                                .events(Events.custom("Renamed", T + 9_000, "s1"))
                                .json());
        assertThat(ops)
                .extracting(Op::kind)
                .containsExactly(
                        OperationKind.IDENTIFIER_CHANGE,
                        OperationKind.IDENTIFY,
                        OperationKind.EVENT);
        assertThat(change(ops.get(0)))
                .isEqualTo(
                        new IdentifierChange(
                                PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")));
        assertThat(ops.subList(1, 3)).extracting(Op::person).containsOnly("id:c-new");
        assertThat(user.last.skipped(SkipReason.IDENTIFIER_CHANGED)).isZero();
        // Once: the next batch is simply addressed by the new id.
        assertThat(
                        user.apply(
                                batch().at(T + 20_000)
                                        .customerId("c-new")
                                        .attributes("{\"plan\":\"pro\"}")
                                        .json()))
                .isEmpty();
    }

    @Test
    void withoutAnAppApiKeyTheFirstCustomerIdStaysAsBefore() {
        User user = new User();
        user.apply(batch().at(T).customerId("c-old").json());
        List<Op> ops = user.apply(batch().at(T + 10_000).customerId("c-new").json());
        assertThat(ops).isEmpty();
        assertThat(user.last.skipped(SkipReason.IDENTIFIER_CHANGED)).isEqualTo(1);
        assertThat(user.state.identifier).isEqualTo("c-old");
    }

    @Test
    void aChangedEmailOfAPersonAddressedByIdGoesThroughCioIdWithoutTheWorkspaceSetting() {
        User user = new User(WITH_APP_API);
        user.apply(
                batch().at(T).identities("{\"customer_id\":\"c-1\",\"email\":\"a@x.io\"}").json());
        List<Op> ops =
                user.apply(
                        batch().at(T + 10_000)
                                .identities("{\"customer_id\":\"c-1\",\"email\":\"b@x.io\"}")
                                .json());
        assertThat(change(ops.get(0)))
                .isEqualTo(
                        new IdentifierChange(
                                PersonIdentifier.id("c-1"), PersonIdentifier.email("b@x.io")));
        assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isZero();
        assertThat(user.state.emailSent).isEqualTo("b@x.io");
        assertThat(
                        user.apply(
                                batch().at(T + 20_000)
                                        .identities(
                                                "{\"customer_id\":\"c-1\",\"email\":\"b@x.io\"}")
                                        .json()))
                .isEmpty();
    }

    @Test
    void theEmailOfAPersonAddressedByEmailChangesToo() {
        User user = new User(WITH_APP_API);
        user.apply(batch().at(T).email("a@x.io").json());
        List<Op> ops =
                user.apply(
                        batch().at(T + 10_000)
                                .email("b@x.io")
                                .events(Events.custom("Moved", T + 9_000, "s1"))
                                .json());
        assertThat(change(ops.get(0)))
                .isEqualTo(
                        new IdentifierChange(
                                PersonIdentifier.email("a@x.io"),
                                PersonIdentifier.email("b@x.io")));
        assertThat(ops.subList(1, ops.size())).extracting(Op::person).containsOnly("email:b@x.io");
    }

    @Test
    void anOlderBatchWithTheOldIdentifierChangesNothingBack() {
        User user = new User(WITH_APP_API);
        user.apply(batch().at(T).customerId("c-old").json());
        user.apply(batch().at(T + 10_000).customerId("c-new").json());
        List<Op> late = user.apply(batch().at(T + 5_000).customerId("c-old").json());
        assertThat(late).extracting(Op::kind).doesNotContain(OperationKind.IDENTIFIER_CHANGE);
        assertThat(user.state.identifier).isEqualTo("c-new");
    }

    private static final MappingSettings ID_ONLY =
            MappingSettings.defaults().toBuilder()
                    .userIdType(UserIdType.CUSTOMER_ID)
                    .workspaceIdentifiers(WorkspaceIdentifiers.ID_ONLY)
                    .build();

    /**
     * In an ID-only workspace email is an ordinary attribute: the new email goes in the identify
     * addressed by id, as any attribute would, and nothing asks the App API by email (which would
     * answer 400 there), with or without an App API key.
     */
    @Test
    void inAnIdOnlyWorkspaceAChangedEmailIsAPlainIdentifyById() {
        for (MappingSettings settings :
                List.of(ID_ONLY, ID_ONLY.toBuilder().applyIdentifierChanges(true).build())) {
            User user = new User(settings);
            user.apply(
                    batch().at(T)
                            .identities("{\"customer_id\":\"c-1\",\"email\":\"a@x.io\"}")
                            .json());
            List<Op> ops =
                    user.apply(
                            batch().at(T + 10_000)
                                    .identities("{\"customer_id\":\"c-1\",\"email\":\"b@x.io\"}")
                                    .json());
            assertThat(ops).extracting(Op::kind).containsExactly(OperationKind.IDENTIFY);
            assertThat(ops.get(0).person()).isEqualTo("id:c-1");
            assertThat(ops.get(0).attributes().path("email").asText()).isEqualTo("b@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isZero();
            assertThat(user.state.emailSent).isEqualTo("b@x.io");
        }
    }

    @Test
    void inAnIdOnlyWorkspaceAChangedCustomerIdStillGoesThroughCioId() {
        User user = new User(ID_ONLY.toBuilder().applyIdentifierChanges(true).build());
        user.apply(batch().at(T).customerId("c-old").json());
        List<Op> ops = user.apply(batch().at(T + 10_000).customerId("c-new").json());
        assertThat(change(ops.get(0)))
                .isEqualTo(
                        new IdentifierChange(
                                PersonIdentifier.id("c-old"), PersonIdentifier.id("c-new")));
    }
}
