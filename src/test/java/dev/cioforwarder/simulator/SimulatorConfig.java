package dev.cioforwarder.simulator;

/** How a simulator instance listens and which account it pretends to be. */
public final class SimulatorConfig {
    final int port;
    final String bindAddress;
    final String siteId;
    final String apiKey;
    final String region;
    final int threads;
    final int maxStoredEvents;

    /**
     * The workspace setting "Allow updates to email using ID": off (Customer.io's default), an
     * identify addressed by id that changes the person's email answers 200 and records an attribute
     * update failure, changing nothing.
     */
    final boolean allowEmailUpdatesById;

    /** The App API key (Bearer), for identifier look-ups. */
    final String appApiKey;

    /**
     * An "ID only" workspace (created before June 2021): email is an ordinary attribute (not
     * unique, changed by an identify by id like any attribute), and the App API answers 400 to a
     * look-up by {@code id_type=email}.
     */
    final boolean idOnlyWorkspace;

    /**
     * How far the App API lags the Track API: a person created, or given an id or email, less than
     * this long ago is 404 on the App API look-up by it. 0: no lag. Counted from when the change
     * was applied: in apply-later mode the App API sees applied state only, so its lag adds to the
     * apply delay.
     */
    final long appApiLagMs;

    /**
     * Whether App API person answers carry {@code customer.identifiers} besides {@code
     * customer.attributes} (which always hold {@code cio_id}, {@code id} and {@code email}, as in
     * Customer.io's documented example). False: the documented shape alone.
     */
    final boolean appApiIdentifiersObject;

    /**
     * "Accepted is not applied": when set, the Track API answers as soon as a request is validated
     * but applies what it accepted this long afterwards, requests in the order they were
     * acknowledged, and the operations of one {@code /api/v2/batch} request in an order shuffled
     * with {@link #applySeed}. Null (the default): applied before the answer, in request order.
     * Inspection and the App API see applied state only; {@code awaitApplied} waits for it.
     */
    final java.time.Duration applyDelay;

    /** The shuffle's seed in apply-later mode (printed when the simulator starts). */
    final long applySeed;

    private SimulatorConfig(Builder b) {
        this.port = b.port;
        this.bindAddress = b.bindAddress;
        this.siteId = b.siteId;
        this.apiKey = b.apiKey;
        this.region = b.region;
        this.threads = b.threads;
        this.maxStoredEvents = b.maxStoredEvents;
        this.allowEmailUpdatesById = b.allowEmailUpdatesById;
        this.appApiKey = b.appApiKey;
        this.idOnlyWorkspace = b.idOnlyWorkspace;
        this.appApiLagMs = b.appApiLagMs;
        this.appApiIdentifiersObject = b.appApiIdentifiersObject;
        this.applyDelay = b.applyDelay;
        this.applySeed = b.applySeed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with test-friendly defaults: an ephemeral port on loopback. */
    public static final class Builder {
        private int port = 0;
        private String bindAddress = "127.0.0.1";
        private String siteId = "site";
        private String apiKey = "key";
        private String region = "us";
        private int threads = 32;
        private int maxStoredEvents = 1_000_000;
        private boolean allowEmailUpdatesById = false;
        private String appApiKey = "app-key";
        private boolean idOnlyWorkspace = false;
        private long appApiLagMs = 0;
        private boolean appApiIdentifiersObject = true;
        private java.time.Duration applyDelay;
        private long applySeed;

        /**
         * Apply-later mode: accepted operations are applied {@code delay} after the answer, a
         * batch's in an order shuffled with {@code seed} (the same seed, the same orders).
         */
        public Builder applyLater(java.time.Duration delay, long seed) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("the apply delay cannot be negative");
            }
            this.applyDelay = delay;
            this.applySeed = seed;
            return this;
        }

        /** Apply-later mode with a seed of its own (printed when the simulator starts). */
        public Builder applyLater(java.time.Duration delay) {
            return applyLater(delay, new java.util.Random().nextLong());
        }

        public Builder idOnlyWorkspace(boolean idOnly) {
            this.idOnlyWorkspace = idOnly;
            return this;
        }

        public Builder appApiLag(java.time.Duration lag) {
            this.appApiLagMs = lag.toMillis();
            return this;
        }

        public Builder appApiIdentifiersObject(boolean withIdentifiers) {
            this.appApiIdentifiersObject = withIdentifiers;
            return this;
        }

        public Builder appApiKey(String key) {
            this.appApiKey = key;
            return this;
        }

        public Builder allowEmailUpdatesById(boolean allow) {
            this.allowEmailUpdatesById = allow;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder siteId(String siteId) {
            this.siteId = siteId;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder region(String region) {
            if (!region.equals("us") && !region.equals("eu")) {
                throw new IllegalArgumentException("region must be us or eu");
            }
            this.region = region;
            return this;
        }

        /** Request threads; latency faults hold a thread per delayed request. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Events kept in full; beyond it only their ids (for deduplication) and counts. */
        public Builder maxStoredEvents(int maxStoredEvents) {
            this.maxStoredEvents = maxStoredEvents;
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(this);
        }
    }
}
