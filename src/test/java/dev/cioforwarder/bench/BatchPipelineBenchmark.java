package dev.cioforwarder.bench;

import dev.cioforwarder.customerio.CustomerioOperation;
import dev.cioforwarder.delivery.BatchBody;
import dev.cioforwarder.mapping.MappingSettings;
import dev.cioforwarder.mapping.Transition;
import dev.cioforwarder.mapping.UserStateMachine;
import dev.cioforwarder.mparticle.BatchParser;
import dev.cioforwarder.mparticle.MParticleBatch;
import dev.cioforwarder.mparticle.ParseResult;
import dev.cioforwarder.state.DeviceFirstSeen;
import dev.cioforwarder.state.UserState;
import dev.cioforwarder.testing.TestBatches;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-batch hot path of the job without Flink around it: parse a realistic mParticle batch
 * (1-20 events, ~40 events per user over time), apply the user's state machine (rules and
 * encoding), and build the {@code /api/v2/batch} body. Run with {@code scripts/jmh.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx1g", "-XX:+UseParallelGC"})
public class BatchPipelineBenchmark {

    private static final int BATCHES = 4_000;

    private byte[][] records;
    private int eventsInAll;
    private int next;
    private BatchParser parser;
    private UserStateMachine machine;
    private Map<String, UserState> states;
    private final DeviceFirstSeen noDevices =
            new DeviceFirstSeen() {
                @Override
                public Long get(String deviceType) {
                    return null;
                }

                @Override
                public void put(String deviceType, long firstSeenMs) {}
            };

    @Setup(Level.Trial)
    public void generate() {
        TestBatches batches = TestBatches.generate(42, 1_000, BATCHES, 20);
        records = new byte[BATCHES][];
        for (int i = 0; i < BATCHES; i++) {
            records[i] = batches.records().get(i).getValue();
        }
        eventsInAll = batches.expectedEvents().size();
        parser = new BatchParser();
        machine = new UserStateMachine(MappingSettings.defaults());
        states = new HashMap<>();
        System.out.println(
                "\n[benchmark data] "
                        + BATCHES
                        + " batches, "
                        + eventsInAll
                        + " events (mean "
                        + (eventsInAll / (double) BATCHES)
                        + " per batch), mean batch "
                        + java.util.Arrays.stream(records)
                                .mapToInt(r -> r.length)
                                .average()
                                .orElse(0)
                        + " bytes");
    }

    private byte[] nextRecord() {
        byte[] r = records[next];
        next = (next + 1) % BATCHES;
        return r;
    }

    /** Parsing alone. */
    @Benchmark
    public ParseResult parse() {
        return parser.parse(nextRecord(), 0);
    }

    /** Parse, rules and encoding, then the batch body: everything but Flink and the network. */
    @Benchmark
    public void parseMapEncode(Blackhole blackhole) {
        MParticleBatch batch = parser.parse(nextRecord(), 0).batch();
        Transition t = machine.apply(states.get(batch.userKey), noDevices, batch);
        states.put(batch.userKey, t.state());
        List<CustomerioOperation> ops = t.operations();
        blackhole.consume(BatchBody.of(ops));
    }
}
