package dev.cioforwarder.mparticle;

import static dev.cioforwarder.mparticle.ParseFailures.expected;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.cioforwarder.json.Attributes;
import java.io.IOException;

/**
 * Reads one event object's fields into {@link EventFields}: {@code event_type} and what {@code
 * data} holds, the commerce parts through {@link CommerceEventReader}. A field of the wrong JSON
 * type is the event's {@link EventFields#error} (the first one, with its position); which fields an
 * event needs is for {@link EventReader} to decide once its type is known.
 */
final class EventFieldReader {

    private final JsonCursor cursor;
    private final JsonParser p;
    private CommerceEventReader commerceReader;

    EventFieldReader(JsonCursor cursor) {
        this.cursor = cursor;
        this.p = cursor.p;
    }

    /**
     * The fields of the event object the parser has just opened, read up to its closing brace.
     *
     * @param where the event, for details: {@code events[3]}
     */
    EventFields read(String where) throws IOException {
        EventFields f = new EventFields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("event_type")) {
                f.type = eventText(v, f, where + ".event_type");
            } else if (name.equals("data")) {
                readEventData(v, f, where + ".data");
            } else {
                p.skipChildren();
            }
        }
        return f;
    }

    private void readEventData(JsonToken value, EventFields f, String where) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            fail(f, expected(where, "an object", value));
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            String fieldWhere = where + "." + name;
            switch (name) {
                case "event_name":
                    f.eventName = eventText(v, f, fieldWhere);
                    break;
                case "screen_name":
                    f.screenName = eventText(v, f, fieldWhere);
                    break;
                case "timestamp_unixtime_ms":
                    try {
                        f.timestampMs = cursor.readTime(v, fieldWhere);
                    } catch (ParseFailures.EventError e) {
                        if (f.error == null) {
                            f.error = e.getMessage(); // has a location
                        }
                    }
                    break;
                case "source_message_id":
                    f.sourceMessageId = eventText(v, f, fieldWhere);
                    break;
                case "event_id":
                    f.eventId = eventText(v, f, fieldWhere);
                    break;
                case "custom_attributes":
                    if (v == JsonToken.START_OBJECT) {
                        f.attributes = Attributes.withCapacity(8);
                        cursor.readAttributeObject(f.attributes, false);
                    } else if (v != JsonToken.VALUE_NULL) {
                        p.skipChildren();
                        fail(f, expected(fieldWhere, "an object", v));
                    }
                    break;
                case "is_opted_out":
                    f.optedOut = eventBoolean(v, f, fieldWhere);
                    break;
                case "is_first_run":
                    f.firstRun = Boolean.TRUE.equals(eventBoolean(v, f, fieldWhere));
                    break;
                case "new":
                    readNewIdentity(v, f, fieldWhere);
                    break;
                case "activity_type":
                    if (v == JsonToken.VALUE_STRING) {
                        f.activityType = cursor.text();
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "register":
                    // push_registration's: read leniently, so that no event of any type that
                    // was accepted before push devices existed is refused now; the rules count
                    // a registration they cannot use.
                    f.register = lenientBoolean(v);
                    break;
                case "registration_token":
                    f.registrationToken = v == JsonToken.VALUE_STRING ? cursor.text() : null;
                    p.skipChildren();
                    break;
                case "product_action":
                    commerceReader().readProductAction(v, commerce(f));
                    break;
                case "promotion_action":
                    commerceReader().readPromotionAction(v, commerce(f));
                    break;
                case "product_impressions":
                    commerceReader().readImpressions(v, commerce(f));
                    break;
                case "currency_code":
                    // Read leniently, like every commerce part (see CommerceEventReader).
                    commerce(f).currencyCode = cursor.lenientText(v);
                    break;
                default:
                    p.skipChildren();
            }
        }
    }

    /** Made on the first commerce part: most batches have none. */
    private CommerceEventReader commerceReader() {
        if (commerceReader == null) {
            commerceReader = new CommerceEventReader(cursor);
        }
        return commerceReader;
    }

    private static CommerceData commerce(EventFields f) {
        if (f.commerce == null) {
            f.commerce = new CommerceData();
        }
        return f.commerce;
    }

    private void readNewIdentity(JsonToken value, EventFields f, String where) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            // user_attribute_change sends its new value here (a string, a number, a list...);
            // only a user_identity_change needs an object, checked once its type is known.
            if (value != JsonToken.VALUE_NULL) {
                f.newError = expected(where, "an object", value, p.currentLocation());
            }
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("identity_type")) {
                f.newIdentityType = identityText(v, f, where + ".identity_type");
            } else if (name.equals("identity")) {
                f.newIdentity = identityText(v, f, where + ".identity");
            } else {
                p.skipChildren();
            }
        }
    }

    /** Like {@link #eventText}, but a wrong type only matters to a user_identity_change. */
    private String identityText(JsonToken v, EventFields f, String where) throws IOException {
        switch (v) {
            case VALUE_STRING:
            case VALUE_NUMBER_INT:
                return cursor.text();
            case VALUE_NULL:
                return null;
            default:
                if (f.newError == null) {
                    f.newError = expected(where, "a string", v, p.currentLocation());
                }
                p.skipChildren();
                return null;
        }
    }

    /** A string (or number, kept as its text) inside an event; a wrong type fails the event. */
    private String eventText(JsonToken v, EventFields f, String where) throws IOException {
        switch (v) {
            case VALUE_STRING:
            case VALUE_NUMBER_INT:
                return cursor.text();
            case VALUE_NULL:
                return null;
            default:
                p.skipChildren();
                fail(f, expected(where, "a string", v));
                return null;
        }
    }

    private Boolean eventBoolean(JsonToken v, EventFields f, String where) throws IOException {
        switch (v) {
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case VALUE_STRING:
                String text = p.getText().trim();
                if (text.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                if (text.equalsIgnoreCase("false")) {
                    return Boolean.FALSE;
                }
                fail(f, expected(where, "a boolean", "a string that is not one"));
                return null;
            default:
                p.skipChildren();
                fail(f, expected(where, "a boolean", v));
                return null;
        }
    }

    /** A boolean or a boolean string; null for anything else (skipped). */
    private Boolean lenientBoolean(JsonToken v) throws IOException {
        switch (v) {
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_STRING:
                String text = p.getText().trim();
                if (text.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                return text.equalsIgnoreCase("false") ? Boolean.FALSE : null;
            default:
                p.skipChildren();
                return null;
        }
    }

    /** The event's first problem, where the parser stands now; later ones are not kept. */
    private void fail(EventFields f, String detail) {
        if (f.error == null) {
            f.error = detail + cursor.here();
        }
    }
}
