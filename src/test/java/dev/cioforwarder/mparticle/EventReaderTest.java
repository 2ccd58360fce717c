package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.JsonCursors.atValue;
import static dev.cioforwarder.mparticle.JsonCursors.isJustAfterTheValue;
import static dev.cioforwarder.mparticle.JsonCursors.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.cioforwarder.deadletter.DeadLetterReason;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class EventReaderTest {

    private final MParticleBatch batch = new MParticleBatch();

    private EventReader read(String events) throws IOException {
        JsonCursor cursor = atValue(events);
        EventReader reader = new EventReader(cursor, batch);
        reader.readEvents(token(cursor));
        assertThat(isJustAfterTheValue(cursor)).isTrue();
        return reader;
    }

    @Test
    void keepsEachEventByItsTypeAndNamesTheTypesNoRuleForwards() throws IOException {
        EventReader reader =
                read(
                        "[{\"event_type\":\"custom_event\",\"data\":{\"event_name\":\"Play\","
                                + "\"timestamp_unixtime_ms\":5}},"
                                + "{\"event_type\":\"session_start\"},"
                                + "{\"event_type\":\"application_state_transition\","
                                + "\"data\":{\"is_first_run\":true}},"
                                + "{\"event_type\":\"application_state_transition\"},"
                                + "{\"event_type\":\"commerce_event\"}]");

        assertThat(batch.events)
                .extracting(e -> e.kind, e -> e.position)
                .containsExactly(
                        tuple(EventKind.CUSTOM_EVENT, 0),
                        tuple(EventKind.FIRST_RUN, 2),
                        tuple(EventKind.COMMERCE_EVENT, 4));
        assertThat(batch.events.get(0).name).isEqualTo("Play");
        assertThat(batch.events.get(2).commerce).isNotNull();
        assertThat(reader.notForwarded())
                .containsExactly(
                        "session_start",
                        "application_state_transition",
                        "application_state_transition");
        assertThat(reader.eventTimes()).containsExactly(5L);
        assertThat(reader.rejectionCount()).isZero();
    }

    @Test
    void rejectsAMalformedEventAloneWithWhereAndWhy() throws IOException {
        EventReader reader =
                read(
                        "[{\"event_type\":\"custom_event\",\"data\":{}},\"x\","
                                + "{\"data\":{}},{\"event_type\":\"screen_view\"}]");

        assertThat(reader.rejections())
                .extracting(EventRejection::position, EventRejection::detail)
                .containsExactly(
                        tuple(0, "events[0].data.event_name: missing"),
                        tuple(1, "events[1]: expected an object, found a string"),
                        tuple(2, "events[2].event_type: missing"));
        assertThat(reader.rejections())
                .extracting(EventRejection::reason)
                .containsOnly(DeadLetterReason.EVENT_INVALID);
        assertThat(batch.events).extracting(e -> e.kind).containsExactly(EventKind.SCREEN_VIEW);
        assertThat(batch.events.get(0).position).isEqualTo(3);
    }

    @Test
    void describesOnlyTheFirstRejectionsButCountsThemAll() throws IOException {
        EventReader reader = read("[" + "1,".repeat(24) + "1]");

        assertThat(reader.rejectionCount()).isEqualTo(25);
        assertThat(reader.rejections()).hasSize(20);
    }

    @Test
    void anIdentityChangeGivesTheBatchItsIdentityForTheKey() throws IOException {
        EventReader reader =
                read(
                        "[{\"event_type\":\"user_identity_change\",\"data\":{\"new\":"
                                + "{\"identity_type\":\"email\",\"identity\":\" a@b.c \"}}},"
                                + "{\"event_type\":\"user_identity_change\",\"data\":{\"new\":"
                                + "{\"identity_type\":\"customerid\",\"identity\":\"c-1\"}}}]");

        assertThat(batch.events).extracting(e -> e.identity).containsExactly("a@b.c", "c-1");
        assertThat(reader.changedEmail()).isEqualTo("a@b.c");
        assertThat(reader.changedCustomerId()).isEqualTo("c-1");
        assertThat(reader.notForwarded())
                .containsExactly("user_identity_change", "user_identity_change");
    }

    @Test
    void aNewValueThatIsNotAnObjectRejectsOnlyAnIdentityChange() throws IOException {
        EventReader reader =
                read(
                        "[{\"event_type\":\"user_attribute_change\",\"data\":{\"new\":\"x\"}},"
                            + "{\"event_type\":\"user_identity_change\",\"data\":{\"new\":\"x\"}}]");

        assertThat(reader.notForwarded()).containsExactly("user_attribute_change");
        assertThat(reader.rejections())
                .extracting(EventRejection::detail)
                .containsExactly(
                        "events[1].data.new: expected an object, found a string"
                                + " (line 1, column 117, byte 116)");
    }

    @Test
    void identifiesAnEventByTheHashOfItsBytes() throws IOException {
        EventReader reader = read("[ {\"event_type\":\"screen_view\"} ]");

        // SHA-256 of {"event_type":"screen_view"}, its first 128 bits.
        assertThat(reader.contentHash(0)).isEqualTo("ffd3249c84622f19f887a4b149efae64");
    }

    @Test
    void eventsThatAreNotAnArrayRejectTheBatch() {
        JsonCursor cursor = atValue("{\"a\":1}");
        EventReader reader = new EventReader(cursor, batch);

        assertThatThrownBy(() -> reader.readEvents(token(cursor)))
                .isInstanceOfSatisfying(
                        ParseFailures.BatchError.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.EVENTS_INVALID))
                .hasMessage(
                        "events: expected an array, found an object (line 1, column 7, byte 6)");
    }
}
