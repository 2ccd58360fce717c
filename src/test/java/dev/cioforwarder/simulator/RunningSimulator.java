package dev.cioforwarder.simulator;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A simulator for a test class: started once before its tests, emptied (people, events, faults,
 * counters) before each test, closed after them; with a client holding the right credentials.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final RunningSimulator customerio = new RunningSimulator("site", "key");
 * </pre>
 */
public final class RunningSimulator
        implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private final SimulatorConfig config;
    private CustomerioSimulator simulator;
    private SimulatorTestClient client;

    public RunningSimulator(String siteId, String apiKey) {
        this(SimulatorConfig.builder().siteId(siteId).apiKey(apiKey).build());
    }

    public RunningSimulator(SimulatorConfig config) {
        this.config = config;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        simulator = CustomerioSimulator.start(config);
        client = new SimulatorTestClient(simulator, config.siteId, config.apiKey);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        simulator.reset();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (simulator != null) {
            simulator.close();
        }
    }

    public CustomerioSimulator simulator() {
        return simulator;
    }

    /** Track calls with this simulator's credentials, and its inspection endpoints. */
    SimulatorTestClient client() {
        return client;
    }
}
