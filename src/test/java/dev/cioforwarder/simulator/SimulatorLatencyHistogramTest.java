package dev.cioforwarder.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LatencyHistogram}: percentiles on known data. */
class SimulatorLatencyHistogramTest {

    @Test
    void anEmptyHistogramIsAllZeros() {
        Summary.LatencyProbe summary = new LatencyHistogram().summary();

        assertThat(summary).isEqualTo(new Summary.LatencyProbe(0, 0, 0, 0));
    }

    @Test
    void percentilesOfOneToAHundred() {
        LatencyHistogram histogram = new LatencyHistogram();
        List<Long> values = new ArrayList<>();
        for (long v = 1; v <= 100; v++) {
            values.add(v);
        }
        Collections.shuffle(values, new Random(7));
        values.forEach(histogram::record);

        assertThat(histogram.percentile(0.50)).isEqualTo(50);
        assertThat(histogram.percentile(0.90)).isEqualTo(90);
        assertThat(histogram.percentile(0.99)).isEqualTo(99);
        assertThat(histogram.percentile(1.0)).isEqualTo(100);
        assertThat(histogram.percentile(0.01)).isEqualTo(1);
        assertThat(histogram.summary()).isEqualTo(new Summary.LatencyProbe(100, 50, 99, 100));
    }

    @Test
    void percentilesAreNearestRankOnSkewedData() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            histogram.record(5);
        }
        for (int i = 0; i < 10; i++) {
            histogram.record(1_234);
        }

        // Rank 990 of 1000 is still 5 ms; rank 991 is the first slow one.
        assertThat(histogram.percentile(0.50)).isEqualTo(5);
        assertThat(histogram.percentile(0.99)).isEqualTo(5);
        assertThat(histogram.percentile(0.991)).isEqualTo(1_234);
        assertThat(histogram.summary().maxMs()).isEqualTo(1_234);
        assertThat(histogram.summary().count()).isEqualTo(1_000);
    }

    @Test
    void beyondAMinuteLatenciesAreKeptToTheSecondAndMaxIsExact() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(10);
        histogram.record(59_999);
        histogram.record(61_500);
        histogram.record(125_250);

        assertThat(histogram.percentile(0.25)).isEqualTo(10);
        assertThat(histogram.percentile(0.50)).isEqualTo(59_999);
        assertThat(histogram.percentile(0.75)).isEqualTo(61_000);
        assertThat(histogram.percentile(1.0)).isEqualTo(125_000);
        assertThat(histogram.summary().maxMs()).isEqualTo(125_250);
    }

    @Test
    void negativeLatenciesCountAsZeroAndHugeOnesAreCapped() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(-40); // clock skew between sender and simulator
        histogram.record(10_000_000); // beyond the last bucket (an hour)

        assertThat(histogram.percentile(0.5)).isZero();
        assertThat(histogram.percentile(1.0)).isEqualTo(3_600_000);
        assertThat(histogram.summary().maxMs()).isEqualTo(10_000_000);
        assertThat(histogram.summary().count()).isEqualTo(2);
    }

    @Test
    void clearStartsOver() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(500);
        histogram.record(70_000);

        histogram.clear();
        histogram.record(3);

        assertThat(histogram.summary()).isEqualTo(new Summary.LatencyProbe(1, 3, 3, 3));
    }

    @Test
    void agreesWithSortingOnRandomData() {
        Random random = new Random(11);
        LatencyHistogram histogram = new LatencyHistogram();
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            long v = (long) Math.abs(random.nextGaussian() * 800);
            values.add(v);
            histogram.record(v);
        }
        Collections.sort(values);
        for (double p : new double[] {0.1, 0.5, 0.9, 0.99, 0.999}) {
            long expected = values.get((int) Math.ceil(p * values.size()) - 1);
            assertThat(histogram.percentile(p)).as("p%s", p).isEqualTo(expected);
        }
        assertThat(histogram.summary().maxMs()).isEqualTo(values.get(values.size() - 1));
    }

    @Test
    void eachSecondOfArrivalKeepsItsCountAndItsSlowestEvent() {
        LatencyHistogram histogram = new LatencyHistogram();
        long second = 1_800_000_000L;
        histogram.record(120, second * 1000 + 5);
        histogram.record(2_300, second * 1000 + 999);
        histogram.record(80, (second + 2) * 1000);

        assertThat(histogram.bySecond())
                .containsExactly(new long[] {second, 2, 2_300}, new long[] {second + 2, 1, 80});
    }

    @Test
    void aSecondAnHourLaterTakesTheSlotOfTheOldOne() {
        LatencyHistogram histogram = new LatencyHistogram();
        long second = 1_800_000_000L;
        histogram.record(900, second * 1000);
        histogram.record(40, (second + 3_600) * 1000);

        assertThat(histogram.bySecond()).containsExactly(new long[] {second + 3_600, 1, 40});
    }

    @Test
    void clearForgetsTheSeconds() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(900, 1_800_000_000_000L);
        histogram.clear();

        assertThat(histogram.bySecond()).isEmpty();
    }
}
