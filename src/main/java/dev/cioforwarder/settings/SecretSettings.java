package dev.cioforwarder.settings;

import java.util.Collection;
import java.util.Locale;

/**
 * The one rule for secrets among settings, shared by the job ({@link ForwarderSettings}) and the
 * operations tool ({@code dev.cioforwarder.ops}): program arguments are shown by Flink's web UI and
 * REST API to anyone who can open them, so a setting that is, or looks like, a secret is refused
 * there, with where it belongs instead. The message names the key, never the value.
 */
public final class SecretSettings {

    private SecretSettings() {}

    /** Fails on the first key of {@code keys} that must not be a program argument. */
    public static void refuseInProgramArguments(Collection<String> keys) {
        for (String key : keys) {
            refuseInProgramArguments(key);
        }
    }

    /** Fails when {@code key} names a secret, which must not be a program argument. */
    public static void refuseInProgramArguments(String key) {
        if (isApiKey(key)) {
            throw new IllegalArgumentException(
                    "setting "
                            + key
                            + ": a Customer.io API key must not be a program argument (Flink"
                            + " shows program arguments in its web UI and REST API). It belongs on"
                            + " the TaskManagers: in the environment variable named by"
                            + " customerio.api-key-env (default CUSTOMERIO_API_KEY), or in the file"
                            + " named by customerio.api-key-file (an App API key: customerio"
                            + ".app-api-key-env or -file). Locally scripts/stack.sh sets it;"
                            + " on Kubernetes it comes from a Secret"
                            + " (flink-conf/kubernetes/flink-deployment.yaml).");
        }
        if (looksLikeSecret(key)) {
            throw new IllegalArgumentException(
                    "setting "
                            + key
                            + " looks like a secret and must not be a program argument (Flink"
                            + " shows program arguments in its web UI and REST API): put it in the"
                            + " Kafka client properties file named by kafka.properties-file,"
                            + " readable on the JobManager and the TaskManagers");
        }
    }

    /** The key itself, under any spelling; naming where the key is read from is fine. */
    static boolean isApiKey(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.equals("customerio.api-key-env")
                || lower.equals("customerio.api-key-file")
                || lower.equals("customerio.app-api-key-env")
                || lower.equals("customerio.app-api-key-file")) {
            return false;
        }
        for (String prefix :
                new String[] {
                    "customerio.api",
                    "customerio.app-api",
                    "customerio.app_api",
                    "customerio.appapi"
                }) {
            String rest = lower.startsWith(prefix) ? lower.substring(prefix.length()) : null;
            if (rest != null
                    && (rest.startsWith("-key")
                            || rest.startsWith("key")
                            || rest.startsWith("_key"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Any key, not only {@code kafka.property.*}: a Kafka client properties file passed as job
     * settings by mistake would otherwise put {@code sasl.jaas.config} into the arguments.
     */
    static boolean looksLikeSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password")
                || lower.contains("passphrase")
                || lower.contains("jaas")
                || lower.contains("secret")
                || lower.endsWith(".key");
    }
}
