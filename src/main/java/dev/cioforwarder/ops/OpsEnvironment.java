package dev.cioforwarder.ops;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The environment variables the operations read, with their defaults (the same names the bash
 * scripts read before): where the cluster and the job records are, and how long to wait. Given as a
 * map, so tests choose it.
 */
public final class OpsEnvironment {

    /** The system property the scripts set to the job jar the tool runs from. */
    public static final String JOB_JAR_PROPERTY = "cio.ops.job-jar";

    /** The system property the scripts set to the repository (for the default state dir). */
    public static final String REPO_DIR_PROPERTY = "cio.ops.repo-dir";

    private final Map<String, String> env;

    public OpsEnvironment(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static OpsEnvironment fromSystem() {
        return new OpsEnvironment(System.getenv());
    }

    private String get(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /** {@code --flink URL}, else FLINK_URL, else the local cluster on FLINK_REST_PORT. */
    public String flinkUrl(String given) {
        String url =
                given != null
                        ? given
                        : get("FLINK_URL", "http://127.0.0.1:" + get("FLINK_REST_PORT", "8081"));
        if (!url.matches("https?://[^/\\s]+.*")) {
            throw new IllegalArgumentException(
                    "--flink takes the REST address of a Flink cluster, e.g."
                            + " http://127.0.0.1:8081; got \""
                            + url
                            + "\"");
        }
        return url.replaceAll("/+$", "");
    }

    /** {@code --name}, else JOB_NAME, else the job's default name. */
    public String jobName(String given) {
        return given != null ? given : get("JOB_NAME", JobSettings.DEFAULT_JOB_NAME);
    }

    /**
     * CIO_OPS_DIR, else {@code <state dir>/ops}; the state dir is CIO_STATE_DIR or .local-stack.
     */
    public Path opsDir() {
        String ops = get("CIO_OPS_DIR", null);
        if (ops != null) {
            return Path.of(ops).toAbsolutePath();
        }
        String state = get("CIO_STATE_DIR", null);
        if (state != null) {
            return Path.of(state).toAbsolutePath().resolve("ops");
        }
        String repo = System.getProperty(REPO_DIR_PROPERTY, ".");
        return Path.of(repo).toAbsolutePath().normalize().resolve(".local-stack").resolve("ops");
    }

    /** The jar the tool runs from (target/'s job jar, built by the scripts when stale). */
    public Path defaultJobJar() {
        String jar = System.getProperty(JOB_JAR_PROPERTY);
        if (jar == null || jar.isBlank()) {
            throw new IllegalArgumentException(
                    "no --jar given and no default job jar (the scripts pass target/'s jar as -D"
                            + JOB_JAR_PROPERTY
                            + "): give the job jar with --jar JAR");
        }
        return Path.of(jar);
    }

    /** Between two polls of the cluster (POLL_SECONDS, default 1). */
    public Duration pollInterval() {
        return seconds("POLL_SECONDS", "1");
    }

    /** For one REST call (REST_TIMEOUT, default 60 s). */
    public Duration restTimeout() {
        return seconds("REST_TIMEOUT", "60");
    }

    /** For a savepoint to complete (SAVEPOINT_TIMEOUT, default 900 s). */
    public Duration savepointTimeout() {
        return seconds("SAVEPOINT_TIMEOUT", "900");
    }

    /**
     * Whether a parallelism above the cluster's slots is refused (OPS_SLOT_CHECK, default true;
     * false where the cluster starts TaskManagers on demand).
     */
    public boolean slotCheck() {
        return !get("OPS_SLOT_CHECK", "true").equalsIgnoreCase("false");
    }

    private Duration seconds(String name, String fallback) {
        String value = get(name, fallback);
        try {
            return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " must be a number of seconds, got \"" + value + "\"");
        }
    }
}
