package dev.cioforwarder.lanes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.customerio.OperationKind;
import dev.cioforwarder.deadletter.DeadLetterReason;
import dev.cioforwarder.delivery.PerUserSequencer;
import dev.cioforwarder.delivery.RetryPolicy;
import dev.cioforwarder.state.DeliveryLane;
import dev.cioforwarder.state.UserState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One user's operations kept in order while Customer.io does not take them: take-over, seal, probe,
 * release, and every way an answer can come back late, twice or not at all.
 */
class UserLaneTest {

    private static final long T = 1_000_000;

    private final RetryPolicy policy =
            new RetryPolicy(
                    Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofSeconds(60), null);
    private final UserLane lane = new UserLane(policy, 1_000);
    private final UserState state = new UserState();
    private final Store waiting = new Store();
    private final Out out = new Out();

    /** The waiting operations as a sorted map, like RocksDB's map state iterates them. */
    static final class Store implements WaitingOperations {
        final TreeMap<Long, CustomerioOperation> ops = new TreeMap<>();

        @Override
        public boolean add(CustomerioOperation op) {
            return ops.putIfAbsent(op.seq, op) == null;
        }

        @Override
        public CustomerioOperation first() {
            return ops.isEmpty() ? null : ops.firstEntry().getValue();
        }

        @Override
        public void remove(long seq) {
            ops.remove(seq);
        }

        @Override
        public Iterable<CustomerioOperation> inOrder() {
            return new ArrayList<>(ops.values());
        }

        @Override
        public void replace(CustomerioOperation op) {
            ops.put(op.seq, op);
        }

        @Override
        public void clear() {
            ops.clear();
        }
    }

    static final class Out implements UserLane.Output {
        final List<CustomerioOperation> sent = new ArrayList<>();
        final List<String> deadLetters = new ArrayList<>();
        final List<Long> timers = new ArrayList<>();

        @Override
        public void send(CustomerioOperation op) {
            sent.add(op);
        }

        @Override
        public void deadLetter(CustomerioOperation op, DeadLetterReason reason, String detail) {
            deadLetters.add(name(op) + ":" + reason.code());
        }

        @Override
        public void timerAt(long timeMs) {
            timers.add(timeMs);
        }

        List<String> take() {
            List<String> names = new ArrayList<>();
            for (CustomerioOperation op : sent) {
                names.add(name(op));
            }
            sent.clear();
            return names;
        }

        CustomerioOperation last() {
            return sent.get(sent.size() - 1);
        }
    }

    private static CustomerioOperation op(String name) {
        CustomerioOperation op = new CustomerioOperation();
        op.kind = OperationKind.EVENT;
        op.userKey = "u";
        op.body = name.getBytes(StandardCharsets.UTF_8);
        return op;
    }

    private static String name(CustomerioOperation op) {
        return op.kind == OperationKind.SEAL
                ? "seal#" + op.episode
                : new String(op.body, StandardCharsets.UTF_8);
    }

    /** Emits operations as the rules would, all while the user is open or held. */
    private List<CustomerioOperation> emit(String... names) {
        List<CustomerioOperation> ops = new ArrayList<>();
        for (String n : names) {
            CustomerioOperation op = op(n);
            lane.emit(state, op, true, false, waiting, out, T);
            ops.add(op);
        }
        return ops;
    }

    /** What delivery sends back: a copy, as it is read from the feedback topic. */
    private static CustomerioOperation back(CustomerioOperation op) {
        CustomerioOperation c = op.copy();
        c.waits++;
        c.ackRequested = false;
        return c;
    }

    private CustomerioOperation seal() {
        CustomerioOperation seal = null;
        for (CustomerioOperation op : out.sent) {
            if (op.kind == OperationKind.SEAL) {
                seal = op;
            }
        }
        return seal;
    }

    @Test
    void anOpenUserSendsStraightAwayEachOperationStampedInOrder() {
        List<CustomerioOperation> ops = emit("a", "b");
        assertThat(out.take()).containsExactly("a", "b");
        assertThat(ops).extracting(o -> o.seq).containsExactly(0L, 1L);
        assertThat(ops).extracting(o -> o.episode).containsOnly(0L);
        assertThat(state.lane).isNull();
        assertThat(state.lastEmittedMs).isEqualTo(T);
    }

    @Test
    void aParkedOperationTakesTheOrderOverAndNothingGoesBeforeTheSealAndTheProbe() {
        List<CustomerioOperation> sent = emit("a", "b", "c");
        out.take();
        // Delivery parked "a" (and "b", "c" behind it); "a" comes back first.
        lane.parked(state, back(sent.get(0)), waiting, out, T + 10);
        assertThat(out.take()).containsExactly("seal#1");
        assertThat(state.deliveryEpisode).isEqualTo(1);
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.SEALING);

        // New operations of the user wait now; the window's come back, in any order.
        emit("d");
        lane.parked(state, back(sent.get(2)), waiting, out, T + 20);
        lane.parked(state, back(sent.get(1)), waiting, out, T + 30);
        assertThat(out.sent).isEmpty();
        assertThat(waiting.ops.keySet()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(state.lane.waiting).isEqualTo(4);

        // The seal came back early: the probe waits for the backoff.
        lane.sealed(state, seal(1), waiting, out, T + 40);
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.BACKOFF);
        assertThat(out.timers).contains(state.lane.nextAttemptMs);
        lane.timer(state, waiting, out, state.lane.nextAttemptMs);
        assertThat(out.sent).singleElement().satisfies(p -> assertThat(name(p)).isEqualTo("a"));
        CustomerioOperation probe = out.sent.get(0);
        assertThat(probe.ackRequested).isTrue();
        assertThat(probe.episode).isEqualTo(1);
        out.take();

        lane.settled(state, probe, waiting, out, T + 5_000);
        assertThat(out.take()).containsExactly("b", "c", "d");
        assertThat(state.lane).as("open again once nothing waits").isNull();
        assertThat(waiting.ops).isEmpty();

        // Back to normal: straight to delivery, in the new episode.
        emit("e");
        assertThat(out.sent).singleElement().satisfies(o -> assertThat(o.episode).isEqualTo(1));
    }

    private static CustomerioOperation seal(long episode) {
        CustomerioOperation seal = new CustomerioOperation();
        seal.kind = OperationKind.SEAL;
        seal.userKey = "u";
        seal.episode = episode;
        return seal;
    }

    @Test
    void aProbeParkedAgainBacksOffLongerAndTheSameOperationGoesNext() {
        List<CustomerioOperation> sent = emit("a", "b");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        lane.parked(state, back(sent.get(1)), waiting, out, T);
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        CustomerioOperation probe = out.last();
        assertThat(name(probe)).isEqualTo("a");
        out.take();

        long before = T + 60_000;
        lane.parked(state, back(probe), waiting, out, before);
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.BACKOFF);
        assertThat(state.lane.attempts).isEqualTo(1);
        assertThat(out.sent).as("no seal: nothing else of the user was out").isEmpty();
        assertThat(state.deliveryEpisode)
                .as("the next probe lifts the mark delivery set when it parked this one")
                .isEqualTo(2);
        long first = state.lane.nextAttemptMs - before;

        lane.timer(state, waiting, out, state.lane.nextAttemptMs);
        probe = out.last();
        assertThat(name(probe)).isEqualTo("a");
        assertThat(probe.waits).isEqualTo(2);
        out.take();
        lane.parked(state, back(probe), waiting, out, before);
        assertThat(state.lane.attempts).isEqualTo(2);
        assertThat(state.lane.nextAttemptMs - before)
                .as("the bound doubles (jitter stays in its upper half)")
                .isGreaterThan(first / 2);
        assertThat(waiting.ops.keySet()).containsExactly(0L, 1L);
    }

    @Test
    void releasedOperationsComingBackStartANewEpisodeBehindANewSeal() {
        List<CustomerioOperation> sent = emit("a", "b", "c");
        out.take();
        for (CustomerioOperation op : sent) {
            lane.parked(state, back(op), waiting, out, T);
        }
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        CustomerioOperation probe = out.last();
        out.take();
        lane.settled(state, probe, waiting, out, T + 60_001);
        List<CustomerioOperation> released = new ArrayList<>(out.sent);
        assertThat(out.take()).containsExactly("b", "c");
        assertThat(state.lane).isNull();

        // "b" failed again: everything released with it may still be out.
        lane.parked(state, back(released.get(0)), waiting, out, T + 70_000);
        assertThat(out.take()).containsExactly("seal#2");
        lane.parked(state, back(released.get(1)), waiting, out, T + 70_001);
        assertThat(out.sent).isEmpty();
        assertThat(waiting.ops.keySet()).containsExactly(1L, 2L);
    }

    @Test
    void aSealSentBackWhileARestoreSettlesGoesAgainLater() {
        List<CustomerioOperation> sent = emit("a");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        CustomerioOperation seal = seal();
        out.take();
        lane.parked(state, back(seal), waiting, out, T + 5);
        assertThat(state.lane.resealAtMs).isGreaterThan(T + 5);
        lane.timer(state, waiting, out, state.lane.resealAtMs);
        assertThat(out.take()).containsExactly("seal#1");
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.SEALING);
    }

    @Test
    void answersOfAnotherEpisodeOrAnotherOperationChangeNothing() {
        List<CustomerioOperation> sent = emit("a", "b");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        lane.sealed(state, seal(0), waiting, out, T);
        assertThat(state.lane.phase).as("a stale seal").isEqualTo(DeliveryLane.SEALING);
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        CustomerioOperation probe = out.last();
        out.take();
        lane.settled(state, back(sent.get(1)), waiting, out, T + 60_000);
        assertThat(state.lane.phase).as("not the probe").isEqualTo(DeliveryLane.PROBING);
        CustomerioOperation oldEpisode = probe.copy();
        oldEpisode.episode = 0;
        lane.settled(state, oldEpisode, waiting, out, T + 60_000);
        assertThat(state.lane.phase)
                .as("the probe of an older episode")
                .isEqualTo(DeliveryLane.PROBING);
        assertThat(out.sent).isEmpty();
        // A second copy of the probe's answer, after the first: nothing more happens.
        lane.settled(state, probe, waiting, out, T + 60_001);
        assertThat(out.take()).isEmpty();
        assertThat(state.lane).isNull();
        lane.settled(state, probe, waiting, out, T + 60_002);
        assertThat(out.sent).isEmpty();
    }

    @Test
    void anOperationToConfirmHoldsTheUserUntilItsAnswer() {
        CustomerioOperation attach = op("attach");
        attach.confirmRequired = true;
        lane.emit(state, attach, true, false, waiting, out, T);
        emit("profile", "event");
        assertThat(out.take()).containsExactly("attach");
        assertThat(attach.ackRequested).isTrue();
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.PROBING);

        lane.settled(state, attach, waiting, out, T + 100);
        assertThat(out.take()).containsExactly("profile", "event");
        assertThat(state.lane).isNull();
    }

    /**
     * Delivery marks the user of every operation it parks and holds back the user's operations of
     * that episode or older ({@link PerUserSequencer}): the next attempt of a parked probe, or of a
     * parked operation to confirm, must not be one of them, or it is parked behind its own earlier
     * attempt for ever.
     */
    @Test
    void aParkedProbeOrOperationToConfirmGoesAgainPastDeliverysMarkOfItsEarlierAttempt() {
        PerUserSequencer delivery = new PerUserSequencer();
        CustomerioOperation change = op("change");
        change.confirmRequired = true;
        lane.emit(state, change, true, false, waiting, out, T);
        emit("event");
        assertThat(out.take()).containsExactly("change");

        // Delivery parks it (the App API refuses its key): the user is marked.
        delivery.markParked("u", change.episode, T);
        lane.parked(state, back(change), waiting, out, T + 100);
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.BACKOFF);
        lane.timer(state, waiting, out, state.lane.nextAttemptMs);
        CustomerioOperation again = out.last();
        assertThat(name(again)).isEqualTo("change");
        assertThat(delivery.holdsBack("u", again.episode))
                .as("delivery holds the second attempt back behind the first")
                .isFalse();

        // Parked again, after a seal and a probe: the same.
        delivery.markParked("u", again.episode, T + 5_000);
        lane.parked(state, back(again), waiting, out, T + 5_000);
        lane.timer(state, waiting, out, state.lane.nextAttemptMs);
        CustomerioOperation third = out.last();
        assertThat(name(third)).isEqualTo("change");
        assertThat(delivery.holdsBack("u", third.episode)).isFalse();

        lane.settled(state, third, waiting, out, T + 60_000);
        assertThat(out.take()).containsExactly("change", "change", "event");
        assertThat(state.lane).isNull();
    }

    @Test
    void anOperationToConfirmAmongReleasedOnesStopsTheReleaseUntilItsAnswer() {
        List<CustomerioOperation> sent = emit("a");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        CustomerioOperation change = op("change");
        change.confirmRequired = true;
        lane.emit(state, change, true, false, waiting, out, T);
        emit("after");
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        CustomerioOperation probe = out.last();
        out.take();
        lane.settled(state, probe, waiting, out, T + 60_001);
        assertThat(out.sent).extracting(UserLaneTest::name).containsExactly("change");
        CustomerioOperation released = out.last();
        assertThat(released.ackRequested).isTrue();
        out.take();
        assertThat(state.lane.phase).isEqualTo(DeliveryLane.PROBING);
        lane.settled(state, released, waiting, out, T + 60_002);
        assertThat(out.take()).containsExactly("after");
    }

    @Test
    void aLongQueueIsReleasedAChunkAtATime() {
        List<CustomerioOperation> first = emit("first");
        out.take();
        lane.parked(state, back(first.get(0)), waiting, out, T);
        for (int i = 0; i < UserLane.RELEASE_CHUNK + 10; i++) {
            emit("e" + i);
        }
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        CustomerioOperation probe = out.last();
        out.take();
        out.timers.clear();
        lane.settled(state, probe, waiting, out, T + 60_001);
        assertThat(out.take()).hasSize(UserLane.RELEASE_CHUNK);
        assertThat(out.timers).containsExactly(T + 60_002);
        lane.timer(state, waiting, out, T + 60_002);
        assertThat(out.take()).hasSize(10).last().isEqualTo("e" + (UserLane.RELEASE_CHUNK + 9));
        assertThat(state.lane).isNull();
    }

    @Test
    void atCapacityAWaitingUsersNewOperationsAreDeadLetteredAndAnOpenUsersAreNot() {
        List<CustomerioOperation> sent = emit("a");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        lane.emit(state, op("over"), true, true, waiting, out, T);
        assertThat(out.deadLetters).containsExactly("over:waiting_capacity_exceeded");
        assertThat(waiting.ops).hasSize(1);

        UserState open = new UserState();
        lane.emit(open, op("fine"), true, true, new Store(), out, T);
        assertThat(out.sent.get(out.sent.size() - 1))
                .satisfies(o -> assertThat(name(o)).isEqualTo("fine"));
    }

    @Test
    void anErasureDropsWhatWaitsAndWhatComesBackOfTheErasedPerson() {
        List<CustomerioOperation> sent = emit("a", "b");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        assertThat(lane.erase(state, waiting)).isEqualTo(1);
        assertThat(waiting.ops).isEmpty();
        CustomerioOperation delete = op("delete");
        delete.confirmRequired = true;
        lane.emit(state, delete, true, false, waiting, out, T);
        lane.parked(state, back(sent.get(1)), waiting, out, T);
        assertThat(waiting.ops.values()).extracting(UserLaneTest::name).containsExactly("delete");
        assertThat(out.take()).containsExactly("seal#1");
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        assertThat(out.take()).containsExactly("delete");
    }

    @Test
    void aMaximumRetryDurationDeadLettersWhatWaitedTooLongWhenTheNextProbeGoes() {
        UserLane bounded =
                new UserLane(
                        new RetryPolicy(
                                Duration.ofMillis(100),
                                Duration.ofSeconds(30),
                                Duration.ofSeconds(60),
                                Duration.ofMinutes(10)),
                        1_000);
        List<CustomerioOperation> sent = new ArrayList<>();
        for (String n : new String[] {"old", "new"}) {
            CustomerioOperation op = op(n);
            bounded.emit(state, op, true, false, waiting, out, T);
            sent.add(op);
        }
        out.take();
        CustomerioOperation old = back(sent.get(0));
        old.firstAttemptMs = T;
        CustomerioOperation young = back(sent.get(1));
        young.firstAttemptMs = T + 9 * 60_000;
        bounded.parked(state, old, waiting, out, T + 9 * 60_000);
        bounded.parked(state, young, waiting, out, T + 9 * 60_000);
        assertThat(out.take()).containsExactly("seal#1");
        bounded.sealed(state, seal(1), waiting, out, T + 11 * 60_000);
        assertThat(out.deadLetters).containsExactly("old:retry_duration_exceeded");
        assertThat(out.take()).containsExactly("new");
    }

    @Test
    void aSealOrProbeWithoutAnAnswerForHalfAnHourStartsOver() {
        List<CustomerioOperation> sent = emit("a");
        out.take();
        lane.parked(state, back(sent.get(0)), waiting, out, T);
        out.take();
        lane.timer(state, waiting, out, T + UserLane.STUCK_AFTER_MS - 1);
        assertThat(out.sent).isEmpty();
        lane.timer(state, waiting, out, T + UserLane.STUCK_AFTER_MS);
        assertThat(out.take()).containsExactly("seal#2");
        assertThat(waiting.ops).hasSize(1);
    }

    @Test
    void anAnonymousEventOfAUserWithoutStateGetsItsPlaceWhenItComesBack() {
        CustomerioOperation anonymous = op("anon");
        lane.emit(state, anonymous, false, false, waiting, out, T);
        assertThat(anonymous.seq).isEqualTo(CustomerioOperation.UNSEQUENCED);
        out.take();
        lane.parked(state, back(anonymous), waiting, out, T);
        assertThat(waiting.ops.keySet()).containsExactly(0L);
        assertThat(state.nextOperationSeq).isEqualTo(1);
        assertThat(out.take()).containsExactly("seal#1");
    }

    @Test
    void takingOverAfterARescaleSealsFirst() {
        lane.takeOver(state, out, T);
        assertThat(out.take()).containsExactly("seal#1");
        emit("a");
        assertThat(out.sent).isEmpty();
        lane.sealed(state, seal(1), waiting, out, T + 60_000);
        assertThat(out.take()).containsExactly("a");
    }

    /**
     * The lane and delivery's per-user marks together, the way the job runs them: whatever the
     * number of probe rounds during an outage, the user's operations get through once Customer.io
     * is back, in order.
     */
    @Test
    void withDeliverysMarksTheUsersOperationsGetThroughOnceCustomerioIsBackInOrder() {
        dev.cioforwarder.delivery.PerUserSequencer marks =
                new dev.cioforwarder.delivery.PerUserSequencer();
        List<String> delivered = new ArrayList<>();
        boolean[] available = {false};
        long[] now = {T};
        java.util.ArrayDeque<Runnable> feedback = new java.util.ArrayDeque<>();
        UserLane.Output delivery =
                new UserLane.Output() {
                    @Override
                    public void send(CustomerioOperation op) {
                        // The job fills in the user of a seal, as here.
                        CustomerioOperation sent = op.copy();
                        sent.userKey = "u";
                        if (sent.kind == OperationKind.SEAL) {
                            marks.holdsBack(sent.userKey, sent.episode);
                            feedback.add(() -> lane.sealed(state, sent, waiting, this, now[0]));
                        } else if (marks.holdsBack(sent.userKey, sent.episode) || !available[0]) {
                            marks.markParked(sent.userKey, sent.episode, now[0]);
                            CustomerioOperation back = back(sent);
                            feedback.add(() -> lane.parked(state, back, waiting, this, now[0]));
                        } else {
                            delivered.add(name(sent));
                            if (sent.ackRequested) {
                                feedback.add(
                                        () -> lane.settled(state, sent, waiting, this, now[0]));
                            }
                        }
                    }

                    @Override
                    public void deadLetter(
                            CustomerioOperation op, DeadLetterReason reason, String detail) {
                        throw new AssertionError("nothing is dead-lettered here");
                    }

                    @Override
                    public void timerAt(long timeMs) {}
                };
        for (String n : new String[] {"a", "b", "c"}) {
            CustomerioOperation op = op(n);
            op.userKey = "u";
            lane.emit(state, op, true, false, waiting, delivery, now[0]);
        }
        // Rounds of feedback and timers: an outage for the first ten, then Customer.io is back.
        for (int round = 0; round < 40 && !(state.lane == null && feedback.isEmpty()); round++) {
            available[0] = round >= 10;
            now[0] += 60_000;
            while (!feedback.isEmpty()) {
                feedback.poll().run();
            }
            lane.timer(state, waiting, delivery, now[0]);
        }
        for (String n : new String[] {"d"}) {
            CustomerioOperation op = op(n);
            op.userKey = "u";
            lane.emit(state, op, true, false, waiting, delivery, now[0]);
        }
        assertThat(delivered).containsExactly("a", "b", "c", "d");
        assertThat(state.lane).isNull();
    }
}
