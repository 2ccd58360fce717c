package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.JsonCursors.atValue;
import static dev.cioforwarder.mparticle.JsonCursors.isJustAfterTheValue;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class EventFieldReaderTest {

    private static EventFields read(String event) throws IOException {
        JsonCursor cursor = atValue(event);
        EventFields fields = new EventFieldReader(cursor).read("events[0]");
        assertThat(isJustAfterTheValue(cursor)).isTrue();
        return fields;
    }

    @Test
    void readsEveryFieldAnEventMayCarry() throws IOException {
        EventFields f =
                read(
                        "{\"event_type\":\"screen_view\",\"ignored\":[1],\"data\":{"
                                + "\"screen_name\":\"Home\",\"timestamp_unixtime_ms\":\"5\","
                                + "\"source_message_id\":7,\"event_id\":\"e-1\","
                                + "\"custom_attributes\":{\"a\":1,\"n\":null},"
                                + "\"is_opted_out\":\" TRUE \",\"is_first_run\":false,"
                                + "\"activity_type\":\"view\",\"register\":\"false\","
                                + "\"registration_token\":\"tok\",\"currency_code\":\"EUR\","
                                + "\"product_action\":{\"action\":\"purchase\"}}}");

        assertThat(f.error).isNull();
        assertThat(f.type).isEqualTo("screen_view");
        assertThat(f.screenName).isEqualTo("Home");
        assertThat(f.timestampMs).isEqualTo(5L);
        assertThat(f.sourceMessageId).isEqualTo("7");
        assertThat(f.eventId).isEqualTo("e-1");
        assertThat(f.attributes.names).containsExactly("a");
        assertThat(f.optedOut).isTrue();
        assertThat(f.firstRun).isFalse();
        assertThat(f.activityType).isEqualTo("view");
        assertThat(f.register).isFalse();
        assertThat(f.registrationToken).isEqualTo("tok");
        assertThat(f.commerce.currencyCode).isEqualTo("EUR");
        assertThat(f.commerce.productAction).isEqualTo("purchase");
    }

    @Test
    void keepsTheFirstWrongTypeWithItsPosition() throws IOException {
        EventFields f = read("{\"event_type\":[\"x\"],\"data\":{\"event_name\":{\"a\":1}}}");

        assertThat(f.error)
                .isEqualTo(
                        "events[0].event_type: expected a string, found an array"
                                + " (line 1, column 25, byte 24)");
    }

    @Test
    void aStringThatIsNotABooleanFailsTheEvent() throws IOException {
        EventFields f = read("{\"data\":{\"is_opted_out\":\"maybe\"}}");

        assertThat(f.error)
                .isEqualTo(
                        "events[0].data.is_opted_out: expected a boolean, found a string that is"
                                + " not one (line 1, column 37, byte 36)");
    }

    @Test
    void dataThatIsNotAnObjectFailsTheEvent() throws IOException {
        EventFields f = read("{\"data\":[1]}");

        assertThat(f.error)
                .isEqualTo(
                        "events[0].data: expected an object, found an array"
                                + " (line 1, column 17, byte 16)");
    }

    @Test
    void aWrongTypeInNewIsKeptApartForAnIdentityChangeToDecide() throws IOException {
        EventFields f = read("{\"data\":{\"new\":{\"identity_type\":{\"x\":1}}}}");

        assertThat(f.error).isNull();
        assertThat(f.newError)
                .isEqualTo(
                        "events[0].data.new.identity_type: expected a string, found an object"
                                + " (line 1, column 39, byte 38)");
    }

    @Test
    void aRegistrationOfAnotherShapeIsNoError() throws IOException {
        EventFields f = read("{\"data\":{\"register\":[true],\"registration_token\":5}}");

        assertThat(f.error).isNull();
        assertThat(f.register).isNull();
        assertThat(f.registrationToken).isNull();
    }
}
