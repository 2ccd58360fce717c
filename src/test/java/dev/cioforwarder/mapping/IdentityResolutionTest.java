package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.Batch.batch;
import static dev.cioforwarder.mapping.MappingTestSupport.Batch.customer;
import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.OperationEffects;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Events;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mapping.MappingTestSupport.User;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who a user is in Customer.io: which identities count, which one addresses the person, and how
 * that stays stable while identities change and batches arrive in any order.
 */
class IdentityResolutionTest {

    private static final String EVENT = Events.custom("A", T - 1_000, "s1");

    private static MappingSettings settings(UserIdType type) {
        return MappingSettings.defaults().withUserIdType(type);
    }

    @Nested
    class WhereIdentitiesComeFrom {

        static Stream<Arguments> identities() {
            return Stream.of(
                    Arguments.of("object form", batch().customerId("c-1"), "id:c-1"),
                    Arguments.of(
                            "object form, customerid spelling",
                            batch().identities("{\"customerid\":\"c-1\"}"),
                            "id:c-1"),
                    Arguments.of(
                            "array form",
                            batch().identities(
                                            "[{\"identity_type\":\"customer_id\",\"identity\":\"c-1\"}]"),
                            "id:c-1"),
                    Arguments.of(
                            "array form, customerid spelling",
                            batch().identities(
                                            "[{\"identity_type\":\"customerid\",\"identity\":\"c-1\"}]"),
                            "id:c-1"),
                    Arguments.of(
                            "array form, email then customer id",
                            batch().identities(
                                            "[{\"identity_type\":\"email\",\"identity\":\"u@x.io\"},"
                                                + "{\"identity_type\":\"customer_id\",\"identity\":\"c-1\"}]"),
                            "id:c-1"),
                    Arguments.of(
                            "array form, email only",
                            batch().identities(
                                            "[{\"identity_type\":\"email\",\"identity\":\"u@x.io\"},"
                                                + "{\"identity_type\":\"other\",\"identity\":\"o-1\"}]"),
                            "email:u@x.io"),
                    Arguments.of("trimmed", batch().customerId("  c-1 "), "id:c-1"),
                    Arguments.of(
                            "a customer id change event",
                            batch().events(Events.identityChange("customer_id", "c-1", T - 5_000)),
                            "id:c-1"),
                    Arguments.of(
                            "a customerid change event",
                            batch().events(Events.identityChange("customerid", "c-1", T - 5_000)),
                            "id:c-1"),
                    Arguments.of(
                            "an email change event",
                            batch().events(Events.identityChange("email", "u@x.io", T - 5_000)),
                            "email:u@x.io"),
                    Arguments.of(
                            "an email change event and a customer id",
                            batch().customerId("c-1")
                                    .events(Events.identityChange("email", "u@x.io", T - 5_000)),
                            "id:c-1"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("identities")
        void theUserIsAddressedByTheIdentityTheBatchCarries(
                String form, Batch batch, String person) {
            User user = new User();
            List<Op> ops = user.apply(batch.events(EVENT));

            assertThat(ops).extracting(Op::kind).startsWith(OperationKind.IDENTIFY);
            assertThat(ops).extracting(Op::person).containsOnly(person);
        }

        @Test
        void theEmailOfAnIdentityChangeIsTheEmailAttribute() {
            List<Op> ops =
                    new User()
                            .apply(
                                    batch().customerId("c-1")
                                            .events(
                                                    Events.identityChange(
                                                            "email", "u@x.io", T - 5_000)));
            assertThat(ops.get(0).attributes().get("email").asText()).isEqualTo("u@x.io");
        }

        @Test
        void aBatchIdentityIsNewerThanAChangeEventInTheSameBatch() {
            // user_identities is the user's identities at the batch time.
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch().customerId("c-new")
                                    .events(
                                            Events.identityChange(
                                                    "customer_id", "c-old", T - 5_000),
                                            EVENT));
            assertThat(ops).extracting(Op::person).containsOnly("id:c-new");
        }
    }

    /** Identities are weighed by their time, not by when their batch arrives. */
    @Nested
    class NewestIdentityWins {

        private final MappingSettings emailUpdatesAllowed =
                MappingSettings.defaults().toBuilder().updateEmailById(true).build();

        @Test
        void anOlderBatchNeverWritesItsOlderEmailOverANewerOne() {
            User user = new User(emailUpdatesAllowed);
            user.apply(batch().at(T).identities("{\"customer_id\":\"c-1\",\"email\":\"a@x.io\"}"));
            List<Op> newer =
                    user.apply(
                            batch().at(T + 20_000)
                                    .identities(
                                            "{\"customer_id\":\"c-1\",\"email\":\"new@x.io\"}"));
            assertThat(newer.get(0).attributes().get("email").asText()).isEqualTo("new@x.io");

            // A late upload from before the change.
            assertThat(
                            user.apply(
                                    batch().at(T + 10_000)
                                            .identities(
                                                    "{\"customer_id\":\"c-1\",\"email\":\"old@x.io\"}")))
                    .isEmpty();
            // The newest email is still the one Customer.io has: nothing to send.
            assertThat(user.apply(batch().at(T + 30_000).customerId("c-1"))).isEmpty();
            assertThat(user.state.email).isEqualTo("new@x.io");
        }

        @Test
        void anIdentityChangeCountsAtItsOwnTimeNotItsBatchTime() {
            User user = new User(emailUpdatesAllowed);
            user.apply(
                    batch().at(T + 10_000)
                            .identities("{\"customer_id\":\"c-1\",\"email\":\"b@x.io\"}"));

            // A newer batch reporting a change made before b@x.io was seen: not newer.
            assertThat(
                            user.apply(
                                    batch().at(T + 20_000)
                                            .customerId("c-1")
                                            .events(
                                                    Events.identityChange(
                                                            "email", "c@x.io", T + 5_000))))
                    .isEmpty();

            // One made after it is.
            List<Op> ops =
                    user.apply(
                            batch().at(T + 30_000)
                                    .customerId("c-1")
                                    .events(Events.identityChange("email", "d@x.io", T + 25_000)));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("email").asText()).isEqualTo("d@x.io");
        }

        static Stream<Arguments> olderCustomerIds() {
            return Stream.of(
                    Arguments.of(
                            "in an older batch",
                            batch().at(T + 10_000)
                                    .identities(
                                            "{\"customer_id\":\"c-old\",\"email\":\"u@x.io\"}")),
                    Arguments.of(
                            "as an older change in a newer batch",
                            batch().at(T + 25_000)
                                    .email("u@x.io")
                                    .events(
                                            Events.identityChange(
                                                    "customer_id", "c-old", T + 10_000))));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("olderCustomerIds")
        void anOlderCustomerIdNeverReplacesANewerOne(String how, Batch older) {
            // Opted out: the profile waits, but identifiers are kept current, so the newer id is
            // attached at once and the older one, arriving later, changes nothing.
            User user = new User();
            user.apply(batch().at(T).email("u@x.io").events(Events.optOut(true, T)));
            List<Op> attach =
                    user.apply(
                            batch().at(T + 20_000)
                                    .identities(
                                            "{\"customer_id\":\"c-new\",\"email\":\"u@x.io\"}"));
            assertThat(attach).singleElement();
            assertThat(attach.get(0).person()).isEqualTo("email:u@x.io");
            assertThat(attach.get(0).attributes().toString()).isEqualTo("{\"id\":\"c-new\"}");

            assertThat(user.apply(older)).as(how).isEmpty();
            assertThat(user.state.customerId).isEqualTo("c-new");

            List<Op> ops =
                    user.apply(
                            batch().at(T + 30_000)
                                    .email("u@x.io")
                                    .events(
                                            Events.optOut(false, T + 30_000),
                                            Events.custom("back", T + 30_000, "s9")));
            assertThat(ops).extracting(Op::person).containsOnly("id:c-new");
        }
    }

    @Nested
    class UnusableIdentities {

        static Stream<Arguments> unusable() {
            String id151 = "é".repeat(75) + "c";
            String email151 = "e".repeat(139) + "@example.com";
            return Stream.of(
                    Arguments.of(
                            UserIdType.CUSTOMER_ID,
                            batch().customerId(id151),
                            SkipReason.IDENTIFIER_TOO_LONG),
                    Arguments.of(
                            UserIdType.CUSTOMER_ID,
                            batch().events(Events.identityChange("customer_id", id151, T - 1)),
                            SkipReason.IDENTIFIER_TOO_LONG),
                    Arguments.of(
                            UserIdType.EMAIL,
                            batch().email(email151),
                            SkipReason.IDENTIFIER_TOO_LONG),
                    Arguments.of(
                            UserIdType.EMAIL,
                            batch().email("no-at.example.com"),
                            SkipReason.EMAIL_IMPLAUSIBLE),
                    Arguments.of(
                            UserIdType.EMAIL,
                            batch().email("u ser@x.io"),
                            SkipReason.EMAIL_IMPLAUSIBLE),
                    Arguments.of(
                            UserIdType.EMAIL,
                            batch().email("u@@x.io"),
                            SkipReason.EMAIL_IMPLAUSIBLE),
                    Arguments.of(
                            UserIdType.EMAIL,
                            batch().email("a@b@x.io"),
                            SkipReason.EMAIL_IMPLAUSIBLE),
                    Arguments.of(
                            UserIdType.EMAIL, batch().email("u@"), SkipReason.EMAIL_IMPLAUSIBLE),
                    Arguments.of(
                            UserIdType.EMAIL,
                            batch().events(Events.identityChange("email", "not an email", T - 1)),
                            SkipReason.EMAIL_IMPLAUSIBLE));
        }

        @ParameterizedTest(name = "{0}: {1} → {2}")
        @MethodSource("unusable")
        void isNotAnIdentifierAndIsCounted(UserIdType type, Batch batch, SkipReason reason) {
            User user = new User(settings(type));
            assertThat(user.apply(batch.events(EVENT))).isEmpty();
            assertThat(user.last.skipped(reason)).isEqualTo(1);
            assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);
        }

        @Test
        void theLongestUsableIdentifiersAre150Bytes() {
            String id150 = "é".repeat(75);
            String email150 = "e".repeat(138) + "@example.com";
            User byId = new User(settings(UserIdType.CUSTOMER_ID));
            assertThat(byId.apply(batch().customerId(id150)).get(0).person())
                    .isEqualTo("id:" + id150);
            User byEmail = new User(settings(UserIdType.EMAIL));
            assertThat(byEmail.apply(batch().email(email150)).get(0).person())
                    .isEqualTo("email:" + email150);
            assertThat(byEmail.last.skipped(SkipReason.IDENTIFIER_TOO_LONG)).isZero();
        }

        @Test
        void anImplausibleEmailIsNotSentAsTheEmailAttributeEither() {
            User user = new User();
            List<Op> ops =
                    user.apply(
                            batch().identities(
                                            "{\"customer_id\":\"c-1\",\"email\":\"u at x.io\"}"));
            assertThat(ops.get(0).person()).isEqualTo("id:c-1");
            assertThat(ops.get(0).attributes().has("email")).isFalse();
            assertThat(user.last.skipped(SkipReason.EMAIL_IMPLAUSIBLE)).isEqualTo(1);
        }
    }

    /** Customer.io keeps knowing the person by what it first knew them by. */
    @Nested
    class StickyAddressing {

        @Test
        void anEmailPersonGivenACustomerIdIsAttachedOnceAndAddressedByItAfterwards() {
            User user = new User();
            assertThat(user.apply(batch().at(T).email("u@x.io").events(EVENT)))
                    .extracting(Op::person)
                    .containsOnly("email:u@x.io");

            List<Op> attach =
                    user.apply(
                            customer()
                                    .at(T + 10_000)
                                    .events(
                                            Events.custom("B", T + 9_000, "s2"),
                                            Events.screen("Home", null, T + 9_500, "s3")));
            assertThat(attach).extracting(Op::label).containsExactly("identify", "B", "Home");
            Op identify = attach.get(0);
            assertThat(identify.person()).isEqualTo("email:u@x.io");
            assertThat(identify.attributes().get("id").asText()).isEqualTo("c-1");
            // What is addressed by the new id waits until Customer.io has acknowledged it.
            assertThat(identify.raw.lastInRequest).isTrue();
            assertThat(attach.subList(1, 3))
                    .allSatisfy(
                            op -> {
                                assertThat(op.person()).isEqualTo("id:c-1");
                                assertThat(op.raw.lastInRequest).isFalse();
                            });

            List<Op> after =
                    user.apply(
                            customer()
                                    .at(T + 20_000)
                                    .attributes("{\"plan\":\"pro\"}")
                                    .events(Events.custom("C", T + 19_000, "s4")));
            assertThat(after).extracting(Op::person).containsOnly("id:c-1");
            assertThat(after.get(0).attributes().has("id")).isFalse();
            assertThat(after).noneMatch(op -> op.raw.lastInRequest);
        }

        @Test
        void anAttachGoesAloneConfirmedBeforeTheProfileItAddressesByTheId() {
            StringBuilder attrs = new StringBuilder("{");
            for (int i = 0; i < 297; i++) {
                attrs.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":").append(i);
            }
            User user = new User();
            user.apply(batch().at(T).email("u@x.io"));

            // 298 profile fields and 4 removals: more than one call may hold.
            List<Op> ops =
                    user.apply(
                            customer()
                                    .at(T + 10_000)
                                    .attributes(attrs.append('}').toString())
                                    .deleted("x1", "x2", "x3", "x4")
                                    .events(EVENT));
            assertThat(ops)
                    .extracting(Op::label)
                    .containsExactly("identify", "identify", "identify", "A");
            // The attach: addressed by the email, only the id, confirmed before anything else.
            assertThat(ops.get(0).person()).isEqualTo("email:u@x.io");
            assertThat(ops.get(0).attributes().get("id").asText()).isEqualTo("c-1");
            assertThat(ops.get(0).attributes().size()).isEqualTo(1);
            assertThat(ops.get(0).raw.lastInRequest).isTrue();
            assertThat(ops.get(0).raw.confirmRequired).isTrue();
            assertThat(ops.get(0).effects()).isEqualTo(OperationEffects.ATTACH);
            assertThat(ops.get(0).raw.effectDetail).isEqualTo("u@x.io");
            // Then the profile, split over two calls, and the event: all by the id.
            assertThat(ops.get(1).attributes().size()).isEqualTo(300);
            assertThat(ops.subList(1, 4)).extracting(Op::person).containsOnly("id:c-1");
            assertThat(ops.subList(1, 4))
                    .allSatisfy(op -> assertThat(op.raw.confirmRequired).isFalse());
        }

        @Test
        void aChangedCustomerIdKeepsTheFirstAndIsCountedEachTime() {
            User user = new User();
            user.apply(batch().at(T).customerId("c-1"));
            for (int i = 1; i <= 2; i++) {
                List<Op> ops =
                        user.apply(
                                batch().at(T + i * 10_000L)
                                        .customerId("c-2")
                                        .events(Events.custom("A", T + i * 10_000L, "s" + i)));
                assertThat(ops).extracting(Op::person).containsOnly("id:c-1");
                assertThat(user.last.skipped(SkipReason.IDENTIFIER_CHANGED)).isEqualTo(1);
            }
        }

        @Test
        void customerIdsAreCaseSensitive() {
            User user = new User();
            user.apply(batch().at(T).customerId("c-1"));
            user.apply(batch().at(T + 1_000).customerId("C-1"));
            assertThat(user.last.skipped(SkipReason.IDENTIFIER_CHANGED)).isEqualTo(1);
        }

        @Test
        void emailsAreNot() {
            User user = new User(settings(UserIdType.EMAIL));
            user.apply(batch().at(T).email("u@x.io"));
            List<Op> ops = user.apply(batch().at(T + 1_000).email("U@X.io").events(EVENT));
            assertThat(ops).extracting(Op::person).containsOnly("email:u@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isZero();
        }
    }

    /** The {@code email} attribute of a person addressed by id. */
    @Nested
    class EmailOfAnIdPerson {

        @Test
        void theFirstEmailIsSentWhenItArrivesAfterTheId() {
            User user = new User();
            assertThat(user.apply(batch().at(T).customerId("c-1")).get(0).attributes().has("email"))
                    .isFalse();
            List<Op> ops = user.apply(customer().at(T + 1_000));
            assertThat(ops).singleElement();
            assertThat(ops.get(0).attributes().get("email").asText()).isEqualTo("u@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isZero();
        }

        @ParameterizedTest(name = "update-email-by-id={0}")
        @ValueSource(booleans = {false, true})
        void aChangedEmailIsSentOnlyWhereTheWorkspaceAllowsIt(boolean updateEmailById) {
            User user =
                    new User(
                            MappingSettings.defaults().toBuilder()
                                    .updateEmailById(updateEmailById)
                                    .build());
            user.apply(customer().at(T).attributes("{\"plan\":\"a\"}"));
            List<Op> ops =
                    user.apply(
                            batch().at(T + 1_000)
                                    .identities("{\"customer_id\":\"c-1\",\"email\":\"new@x.io\"}")
                                    .attributes("{\"plan\":\"b\"}"));

            assertThat(ops).singleElement();
            assertThat(ops.get(0).person()).isEqualTo("id:c-1");
            assertThat(ops.get(0).attributes().get("plan").asText()).isEqualTo("b");
            assertThat(ops.get(0).attributes().get("email").asText())
                    .isEqualTo(updateEmailById ? "new@x.io" : "u@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED))
                    .isEqualTo(updateEmailById ? 0 : 1);

            // Kept back, the change is not retried as if it were new: nothing changed since.
            List<Op> again =
                    user.apply(
                            batch().at(T + 2_000)
                                    .identities("{\"customer_id\":\"c-1\",\"email\":\"new@x.io\"}")
                                    .attributes("{\"plan\":\"b\"}"));
            assertThat(again).isEmpty();
        }

        @Test
        void afterTheAttachTheEmailSentIsTheOneThePersonWasAddressedBy() {
            User user = new User();
            user.apply(batch().at(T).email("u@x.io"));
            user.apply(customer().at(T + 1_000));
            List<Op> ops =
                    user.apply(
                            batch().at(T + 2_000)
                                    .identities("{\"customer_id\":\"c-1\",\"email\":\"new@x.io\"}")
                                    .attributes("{\"plan\":\"b\"}"));
            assertThat(ops.get(0).attributes().get("email").asText()).isEqualTo("u@x.io");
            assertThat(user.last.skipped(SkipReason.EMAIL_CHANGE_NOT_APPLIED)).isEqualTo(1);
        }
    }

    @Nested
    class MpidUserIdType {

        @Test
        void theMpidIsTheIdWhateverTheOtherIdentities() {
            User user = new User(settings(UserIdType.MPID));
            assertThat(user.apply(customer().mpid("-7636538281262557041").events(EVENT)))
                    .extracting(Op::person)
                    .containsOnly("id:-7636538281262557041");

            // A string MPID is the same user; a changed Customer ID is not a changed identifier.
            List<Op> ops =
                    user.apply(
                            batch().at(T + 1_000)
                                    .mpid("\"-7636538281262557041\"")
                                    .customerId("c-2")
                                    .events(Events.custom("B", T + 1_000, "s2")));
            assertThat(ops).extracting(Op::person).containsOnly("id:-7636538281262557041");
            assertThat(user.last.skipped(SkipReason.IDENTIFIER_CHANGED)).isZero();
        }

        @Test
        void aBatchWithoutMpidHasNoIdentity() {
            User user = new User(settings(UserIdType.MPID));
            assertThat(user.apply(customer().mpid("null").events(EVENT))).isEmpty();
            assertThat(user.last.skipped(SkipReason.NO_IDENTITY)).isEqualTo(1);
        }
    }
}
