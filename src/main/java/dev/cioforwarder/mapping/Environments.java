package dev.cioforwarder.mapping;

import java.io.Serializable;
import java.util.Locale;

/**
 * Which mParticle environments are forwarded ({@code mparticle.environments}). A batch's top-level
 * {@code environment} is {@code development} or {@code production} in mParticle's format; a batch
 * that says {@code development} (in any case) is development data, and every other batch, also one
 * without the field or with another value, is production data, so that a job forwarding only
 * production loses nothing it cannot place.
 */
public final class Environments implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String PRODUCTION = "production";
    public static final String DEVELOPMENT = "development";

    /** Both: every batch, as before the setting existed. */
    public static final Environments ALL = new Environments(true, true);

    private final boolean production;
    private final boolean development;

    private Environments(boolean production, boolean development) {
        this.production = production;
        this.development = development;
    }

    /**
     * The setting's value: {@code production}, {@code development} or both, comma-separated.
     *
     * @throws IllegalArgumentException for an empty list or another name
     */
    public static Environments parse(String value) {
        boolean production = false;
        boolean development = false;
        for (String part : value.split(",", -1)) {
            String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.equals(PRODUCTION)) {
                production = true;
            } else if (name.equals(DEVELOPMENT)) {
                development = true;
            } else {
                throw new IllegalArgumentException(
                        "\"" + part.strip() + "\" is not production or development");
            }
        }
        return new Environments(production, development);
    }

    /**
     * Whether a batch goes on: a development batch ({@code MParticleBatch.developmentEnvironment})
     * when development is forwarded, any other when production is.
     */
    public boolean forwards(boolean developmentBatch) {
        return developmentBatch ? development : production;
    }

    @Override
    public String toString() {
        return production && development
                ? "production,development"
                : production ? PRODUCTION : DEVELOPMENT;
    }
}
