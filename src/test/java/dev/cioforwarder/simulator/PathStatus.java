package dev.cioforwarder.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * Answers every request on a path with one status and applies nothing, as a wrong region (a 3xx to
 * the other region's host), a gateway that lost a route (404, 405, 410) or a conflict (409) does.
 * One entry of {@code path_statuses} in {@link Faults}:
 *
 * <pre>
 * {"path_prefix":"/api/v2/batch","method":"POST","status":301,"times":2}
 * </pre>
 *
 * Checked before credentials, on Track and App API paths alike, never on {@code /__simulator/}.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public final class PathStatus {

    /** Matched against the raw (still percent-encoded) path, without the query. */
    @JsonProperty("path_prefix")
    public String pathPrefix;

    /** Only requests with this method (any case); unset: every method. */
    @JsonProperty("method")
    public String method;

    @JsonProperty("status")
    public int status;

    /** The rule heals after answering this many requests; 0: never. */
    @JsonProperty("times")
    public int times;

    /**
     * With a 3xx status, where {@code Location} sends the request (the path and query are
     * appended); by default the other region's host (Track or App API).
     */
    @JsonProperty("location_base")
    public String locationBase;

    /** Requests whose path starts with {@code pathPrefix} are answered {@code status}. */
    public static PathStatus of(String pathPrefix, int status) {
        PathStatus p = new PathStatus();
        p.pathPrefix = pathPrefix;
        p.status = status;
        return p;
    }

    public PathStatus method(String v) {
        method = v;
        return this;
    }

    public PathStatus times(int v) {
        times = v;
        return this;
    }

    public PathStatus locationBase(String v) {
        locationBase = v;
        return this;
    }

    boolean matches(String requestMethod, String rawPath) {
        return rawPath.startsWith(pathPrefix)
                && (method == null || method.equalsIgnoreCase(requestMethod));
    }

    /**
     * What makes this rule unusable, naming it as {@code path_statuses[index]}; null when usable.
     */
    String problem(int index) {
        String name = "path_statuses[" + index + "]";
        if (pathPrefix == null || !pathPrefix.startsWith("/")) {
            return name + ".path_prefix: give the start of a path, such as /api/v2/batch";
        }
        if (pathPrefix.startsWith("/__simulator")) {
            return name + ".path_prefix: the simulator's own endpoints take no faults";
        }
        if (method != null && !method.toUpperCase(Locale.ROOT).matches("[A-Z]+")) {
            return name + ".method: \"" + method + "\" is not an HTTP method";
        }
        if (status < 200 || status > 599) {
            return name + ".status: " + status + " is no HTTP status; give one of 200-599";
        }
        if (times < 0) {
            return name + ".times: " + times + " is negative; 0 means never heal";
        }
        return null;
    }
}
