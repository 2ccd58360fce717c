package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Refuses the operations that address one person, as Customer.io refuses single operations and as a
 * proxy that chokes on one user refuses whole requests. One entry of {@code refusals} in {@link
 * Faults}:
 *
 * <pre>
 * {"person":"u2","actions":["identify"],"attribute":"unsubscribed","status":400,"times":1}
 * </pre>
 *
 * With status 400 (the default) the operation alone is refused (an entry of a 207 inside {@code
 * /batch}, a 400 alone) and the rest of a batch is applied; any other status answers the whole
 * request that holds a matching operation, and nothing of it is applied.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public final class Refusal {

    /** The status that refuses one operation instead of the whole request. */
    static final int ALONE = 400;

    /**
     * An identifier value: a v1 path identifier (decoded, {@code cio_} prefix included), or a v2
     * {@code identifiers} value ({@code id}, {@code email}, {@code cio_id}, {@code anonymous_id}),
     * or an anonymous event's {@code anonymous_id}. Compared exactly; {@code cio_<n>} also matches
     * a v2 {@code cio_id} of {@code n}.
     */
    @JsonProperty("person")
    public String person;

    /** v2 action names the rule refuses (v1 requests map to them); empty: every action. */
    @JsonProperty("actions")
    public List<String> actions = new ArrayList<>();

    /** When set, only identify operations whose attributes hold this name match. */
    @JsonProperty("attribute")
    public String attribute;

    /** 400: the operation alone; anything else (200-599): the whole request. */
    @JsonProperty("status")
    public int status = ALONE;

    /** The rule heals after refusing this many operations (400) or requests; 0: never. */
    @JsonProperty("times")
    public int times;

    /**
     * With a 3xx status, where {@code Location} sends the request (the path and query are
     * appended); by default the other region's host.
     */
    @JsonProperty("location_base")
    public String locationBase;

    /** A rule for the operations addressed to {@code person}, refusing each alone with a 400. */
    public static Refusal person(String person) {
        Refusal r = new Refusal();
        r.person = person;
        return r;
    }

    public Refusal actions(String... names) {
        actions = new ArrayList<>(List.of(names));
        return this;
    }

    public Refusal attribute(String name) {
        attribute = name;
        return this;
    }

    public Refusal status(int v) {
        status = v;
        return this;
    }

    public Refusal times(int v) {
        times = v;
        return this;
    }

    public Refusal locationBase(String v) {
        locationBase = v;
        return this;
    }

    boolean refusesAlone() {
        return status == ALONE;
    }

    boolean matches(TrackOperation op) {
        if (!op.identifiers().contains(person)) {
            return false;
        }
        if (!actions.isEmpty() && !actions.contains(op.action())) {
            return false;
        }
        return attribute == null
                || (op.action().equals("identify") && op.attributes().contains(attribute));
    }

    /** What makes this rule unusable, naming it as {@code refusals[index]}; null when usable. */
    String problem(int index) {
        String name = "refusals[" + index + "]";
        if (person == null || person.isEmpty()) {
            return name + ".person: give the identifier value of the person to refuse";
        }
        for (String action : actions) {
            if (!TrackValidation.PERSON_ACTIONS.contains(action)) {
                return name
                        + ".actions: \""
                        + action
                        + "\" is not one of "
                        + new TreeSet<>(TrackValidation.PERSON_ACTIONS);
            }
        }
        if (attribute != null && !actions.isEmpty() && !actions.contains("identify")) {
            return name
                    + ".attribute: only identify operations carry attributes; add identify to"
                    + " actions or drop attribute";
        }
        if (status < 200 || status > 599) {
            return name
                    + ".status: "
                    + status
                    + " is no HTTP status; use 400 to refuse the operation alone, or 200-599 for"
                    + " the whole request";
        }
        if (times < 0) {
            return name + ".times: " + times + " is negative; 0 means never heal";
        }
        return null;
    }
}
