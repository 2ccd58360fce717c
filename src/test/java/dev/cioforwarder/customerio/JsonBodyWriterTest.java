package dev.cioforwarder.customerio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cioforwarder.json.Attributes;
import dev.cioforwarder.json.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The mechanics both encoders share: values written with the JSON type they arrived in, the
 * identify's field order, the measured size of event data (what Customer.io's 100,000-byte limit
 * counts), device attributes, and the v1 anonymous event.
 */
class JsonBodyWriterTest {

    /** The smallest writer: one body at a time, through the shared helpers. */
    private static final class Writer extends JsonBodyWriter {
        interface Body {
            void write(JsonGenerator g) throws IOException;
        }

        String write(Body body) throws IOException {
            JsonGenerator g = start();
            body.write(g);
            return new String(finish(g), StandardCharsets.UTF_8);
        }

        int measured;

        String measure(Attributes attributes) throws IOException {
            return write(
                    g -> {
                        g.writeStartObject();
                        g.writeFieldName("data");
                        measured = writeMeasuredObject(g, attributes);
                        g.writeEndObject();
                    });
        }
    }

    private final Writer writer = new Writer();

    @Test
    void everyValueKeepsItsJsonType() throws IOException {
        Attributes a = new Attributes();
        a.add("s", ValueType.STRING, "36");
        a.add("n", ValueType.NUMBER, "-0.50");
        a.add("t", ValueType.BOOLEAN, "true");
        a.add("f", ValueType.BOOLEAN, "false");
        a.add("j", ValueType.JSON, "[1,{\"x\":null}]");
        a.add("z", ValueType.NULL, "");
        assertThat(writer.write(g -> JsonBodyWriter.writeObject(g, a)))
                .isEqualTo(
                        "{\"s\":\"36\",\"n\":-0.50,\"t\":true,\"f\":false,"
                                + "\"j\":[1,{\"x\":null}],\"z\":null}");
    }

    @Test
    void noAttributesIsAnEmptyObject() throws IOException {
        assertThat(writer.write(g -> JsonBodyWriter.writeObject(g, null))).isEqualTo("{}");
        assertThat(writer.write(g -> JsonBodyWriter.writeObject(g, new Attributes())))
                .isEqualTo("{}");
    }

    @Test
    void stringsAreEscapedAsJson() throws IOException {
        Attributes a = new Attributes();
        a.add("q", ValueType.STRING, "say \"hi\"\\\n");
        assertThat(writer.write(g -> JsonBodyWriter.writeObject(g, a)))
                .isEqualTo("{\"q\":\"say \\\"hi\\\"\\\\\\n\"}");
    }

    @Test
    void theMeasuredSizeIsTheDataObjectAloneInUtf8Bytes() throws IOException {
        Attributes a = new Attributes();
        a.add("a", ValueType.NUMBER, "1");
        assertThat(writer.measure(a)).isEqualTo("{\"data\":{\"a\":1}}");
        // {"a":1}: not the colon before it, not the brace after it.
        assertThat(writer.measured).isEqualTo(7);

        Attributes accented = new Attributes();
        accented.add("name", ValueType.STRING, "Zo\u00eb");
        writer.measure(accented);
        // {"name":"Zoë"}: 14 characters, ë two bytes.
        assertThat(writer.measured).isEqualTo(15);

        writer.measure(new Attributes());
        assertThat(writer.measured).isEqualTo(2);
    }

    @Test
    void theMeasureCountsFromWhereTheObjectStarts() throws IOException {
        Attributes a = new Attributes();
        a.add("a", ValueType.NUMBER, "1");
        String body =
                writer.write(
                        g -> {
                            g.writeStartObject();
                            g.writeStringField("name", "a long name before the data");
                            g.writeFieldName("data");
                            writer.measured = writer.writeMeasuredObject(g, a);
                            g.writeEndObject();
                        });
        assertThat(body).isEqualTo("{\"name\":\"a long name before the data\",\"data\":{\"a\":1}}");
        assertThat(writer.measured).isEqualTo(7);
    }

    @Test
    void profileFieldsPutTheIdFirstAndTheOtherControlFieldsLast() throws IOException {
        ProfileUpdate update = new ProfileUpdate();
        update.attachId = "cust-1";
        update.attributes.add("first_name", ValueType.STRING, "Ada");
        update.attributes.add("age", ValueType.NUMBER, "36");
        update.createdAtSeconds = 1700000000L;
        update.unsubscribed = false;
        update.anonymousId = "anon-1";
        assertThat(
                        writer.write(
                                g -> {
                                    g.writeStartObject();
                                    JsonBodyWriter.writeProfileFields(g, update, 0, 2, true);
                                    g.writeEndObject();
                                }))
                .isEqualTo(
                        "{\"id\":\"cust-1\",\"first_name\":\"Ada\",\"age\":36,"
                                + "\"created_at\":1700000000,\"unsubscribed\":false,"
                                + "\"anonymous_id\":\"anon-1\"}");
        assertThat(
                        writer.write(
                                g -> {
                                    g.writeStartObject();
                                    JsonBodyWriter.writeProfileFields(g, update, 1, 2, false);
                                    g.writeEndObject();
                                }))
                .isEqualTo("{\"age\":36}");
    }

    @Test
    void deviceAttributesOnlyWhenKnownAndOnlyThoseKnown() throws IOException {
        assertThat(
                        writer.write(
                                g -> {
                                    g.writeStartObject();
                                    JsonBodyWriter.writeDeviceAttributes(g, null);
                                    g.writeEndObject();
                                }))
                .isEqualTo("{}");
        assertThat(
                        writer.write(
                                g -> {
                                    g.writeStartObject();
                                    JsonBodyWriter.writeDeviceAttributes(
                                            g, DeviceAttributes.of(null, "Pixel 8", null, "de-DE"));
                                    g.writeEndObject();
                                }))
                .isEqualTo(
                        "{\"attributes\":{\"device_model\":\"Pixel 8\","
                                + "\"device_locale\":\"de-DE\"}}");
    }

    @Test
    void anAnonymousEventIsAV1EventsRequest() {
        Attributes data = new Attributes();
        data.add("plan", ValueType.STRING, "pro");
        EncodedOperation e =
                writer.anonymousEventV1(
                        OperationKind.EVENT,
                        "Signed_Up",
                        "01KB4V1MM06Y3J8DEFDKJ4Z1RF",
                        1764320400L,
                        data,
                        "anon-1");
        assertThat(e.method).isEqualTo("POST");
        assertThat(e.path).isEqualTo("/api/v1/events");
        assertThat(new String(e.body, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"name\":\"Signed_Up\",\"type\":\"event\",\"anonymous_id\":\"anon-1\","
                                + "\"id\":\"01KB4V1MM06Y3J8DEFDKJ4Z1RF\",\"timestamp\":1764320400,"
                                + "\"data\":{\"plan\":\"pro\"}}");
        // {"plan":"pro"}
        assertThat(e.dataBytes).isEqualTo(14);
    }

    @Test
    void eachBodyStartsEmptyAndAnEarlierOneIsNotChangedByTheNext() throws IOException {
        String first = writer.write(g -> JsonBodyWriter.writeObject(g, null));
        Attributes a = new Attributes();
        a.add("k", ValueType.STRING, "v");
        String second = writer.write(g -> JsonBodyWriter.writeObject(g, a));
        assertThat(first).isEqualTo("{}");
        assertThat(second).isEqualTo("{\"k\":\"v\"}");
    }
}
