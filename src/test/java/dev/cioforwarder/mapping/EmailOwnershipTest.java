package dev.cioforwarder.mapping;

import static dev.cioforwarder.mapping.MappingTestSupport.T;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.ApiMode;
import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.mapping.MappingTestSupport.Batch;
import dev.cioforwarder.mapping.MappingTestSupport.Op;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.EmailOwner;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.OperationChecks;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * customerio.guard-shared-emails: the email index ({@link EmailOwnership}) and the users' state
 * machines, in memory as the job's stages run them. A person addressed by id gets an email only
 * once the index answered it is theirs, so a second customer sharing it never sends it, and
 * Customer.io never gives the first customer's person the second one's id.
 */
class EmailOwnershipTest {

    private static final long DAY = 86_400_000L;

    /** Users and the email index, in memory; the index answers after each batch. */
    private static final class World {
        final MappingSettings settings;
        final UserStateMachine machine;
        final Map<String, UserState> users = new HashMap<>();
        final Map<String, EmailOwner> emails = new HashMap<>();
        int skippedAsAnotherCustomers;

        World(MappingSettings settings) {
            this.settings = settings;
            this.machine = new UserStateMachine(settings);
        }

        /** "identify person {attributes}" of each operation the batch and its answer cause. */
        List<String> apply(Batch batch) {
            MParticleBatch parsed =
                    new BatchParser()
                            .parse(batch.json().getBytes(StandardCharsets.UTF_8), 0L)
                            .batch();
            List<String> out =
                    take(
                            parsed.userKey,
                            machine.apply(users.get(parsed.userKey), noDevices(), parsed));
            EmailClaim claim = EmailOwnership.claimOf(parsed, settings);
            if (claim != null) {
                List<EmailVerdict> verdicts = new ArrayList<>();
                emails.put(
                        claim.email,
                        EmailOwnership.apply(emails.get(claim.email), claim, verdicts));
                for (EmailVerdict v : verdicts) {
                    out.addAll(take(v.userKey, machine.applyEmailVerdict(users.get(v.userKey), v)));
                }
            }
            return out;
        }

        private List<String> take(String userKey, Transition t) {
            if (t.state() != null) {
                users.put(userKey, t.state());
            }
            skippedAsAnotherCustomers += t.skipped(SkipReason.EMAIL_OF_ANOTHER_CUSTOMER);
            List<String> ops = new ArrayList<>();
            for (CustomerioOperation op : t.operations()) {
                assertThat(OperationChecks.violations(op, settings.apiMode(), true)).isEmpty();
                Op decoded = new Op(op, settings.apiMode());
                ops.add(decoded.label() + " " + decoded.person() + " " + decoded.attributes());
            }
            return ops;
        }

        private static DeviceFirstSeen noDevices() {
            Map<String, Long> devices = new HashMap<>();
            return new DeviceFirstSeen() {
                @Override
                public Long get(String deviceType) {
                    return devices.get(deviceType);
                }

                @Override
                public void put(String deviceType, long firstSeenMs) {
                    devices.put(deviceType, firstSeenMs);
                }
            };
        }
    }

    private static MappingSettings guarded(ApiMode mode) {
        return MappingSettings.builder().guardSharedEmails(true).apiMode(mode).build();
    }

    private static Batch customer(String mpid, String customerId, String email, long time) {
        return Batch.batch()
                .mpid(mpid)
                .identities("{\"customer_id\":\"" + customerId + "\",\"email\":\"" + email + "\"}")
                .at(time);
    }

    @Test
    void theFirstCustomerSeenWithAnEmailOwnsItAndAnotherIsToldSo() {
        List<EmailVerdict> out = new ArrayList<>();
        EmailOwner owner = EmailOwnership.apply(null, claim("c-1", "u1", T), out);
        assertThat(owner.ownerId).isEqualTo("c-1");
        owner = EmailOwnership.apply(owner, claim("c-2", "u2", T + 1_000), out);
        owner = EmailOwnership.apply(owner, claim("c-1", "u3", T + 2_000), out);
        assertThat(out.stream().map(v -> v.userKey + (v.ofAnotherCustomer ? " no" : " yes")))
                .containsExactly("u1 yes", "u2 no", "u3 yes");
        assertThat(owner.ownerId).isEqualTo("c-1");
        assertThat(owner.lastSeenMs).isEqualTo(T + 2_000);

        // Not seen with it for 30 days: the next customer seen with it takes it.
        out.clear();
        owner = EmailOwnership.apply(owner, claim("c-2", "u2", T + 2_000 + 30 * DAY), out);
        assertThat(out).singleElement().satisfies(v -> assertThat(v.ofAnotherCustomer).isFalse());
        owner = EmailOwnership.apply(owner, claim("c-2", "u2", T + 2_001 + 30 * DAY), out);
        assertThat(owner.ownerId).isEqualTo("c-2");
        out.clear();
        EmailOwnership.apply(owner, claim("c-1", "u1", T + 2_002 + 30 * DAY), out);
        assertThat(out).singleElement().satisfies(v -> assertThat(v.ofAnotherCustomer).isTrue());
    }

    private static EmailClaim claim(String id, String userKey, long timeMs) {
        EmailClaim c = new EmailClaim();
        c.email = "ann@example.com";
        c.id = id;
        c.userKey = userKey;
        c.timeMs = timeMs;
        return c;
    }

    @ParameterizedTest
    @EnumSource(ApiMode.class)
    void aSecondCustomerSharingAnEmailNeverSendsItSoNobodyTakesTheFirstOnesPerson(ApiMode mode) {
        World world = new World(guarded(mode));
        List<String> first = world.apply(customer("1", "c-1", "ann@example.com", T));
        assertThat(first).hasSize(2);
        assertThat(first.get(0)).as("the person is created without it").doesNotContain("email");
        assertThat(first.get(1)).as("then given it, once it is theirs").contains("ann@example.com");

        List<String> second =
                world.apply(
                        customer("2", "c-2", "Ann@Example.com", T + 1_000)
                                .attributes("{\"plan\":\"pro\"}"));
        assertThat(second).singleElement().asString().contains("c-2").doesNotContain("@");
        List<String> later =
                world.apply(
                        customer("2", "c-2", "ann@example.com", T + 2_000)
                                .attributes("{\"plan\":\"max\"}"));
        assertThat(later).singleElement().asString().doesNotContain("@");
        assertThat(world.skippedAsAnotherCustomers).isEqualTo(1);

        // The first customer's identifies keep their email.
        assertThat(
                        world.apply(
                                customer("1", "c-1", "ann@example.com", T + 3_000)
                                        .attributes("{\"plan\":\"free\"}")))
                .singleElement()
                .asString()
                .contains("ann@example.com");
    }

    @Test
    void withoutTheSettingOrAddressedByEmailNothingWaits() {
        World off = new World(MappingSettings.builder().apiMode(ApiMode.V2_BATCH).build());
        assertThat(off.apply(customer("1", "c-1", "ann@example.com", T)))
                .singleElement()
                .asString()
                .contains("ann@example.com");
        assertThat(off.emails).isEmpty();

        World byEmail = new World(guarded(ApiMode.V2_BATCH));
        assertThat(byEmail.apply(Batch.batch().mpid("1").email("bo@example.com").at(T)))
                .singleElement()
                .asString()
                .startsWith("identify email:bo@example.com");
        assertThat(byEmail.emails).as("addressed by email, the email is the identifier").isEmpty();
    }

    @Test
    void anUpgradedUserWhoseEmailWasSentBeforeDoesNotWait() {
        World world = new World(MappingSettings.builder().apiMode(ApiMode.V2_BATCH).build());
        world.apply(customer("1", "c-1", "ann@example.com", T));
        World upgraded = new World(guarded(ApiMode.V2_BATCH));
        upgraded.users.putAll(world.users);
        List<String> ops =
                upgraded.apply(
                        customer("1", "c-1", "ann@example.com", T + 1_000)
                                .attributes("{\"plan\":\"pro\"}"));
        assertThat(ops).singleElement().asString().contains("ann@example.com");
        assertThat(ops.stream().collect(Collectors.joining())).contains("plan");
    }
}
