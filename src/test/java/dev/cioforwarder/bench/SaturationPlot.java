package dev.cioforwarder.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws the benchmark's plots as PNG with plain Java2D (headless; no plotting library). */
final class SaturationPlot {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 90;
    private static final int RIGHT = 90;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;

    private SaturationPlot() {}

    /** Draws the plots again from the JSON a run wrote: {@code SaturationPlot DIR}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/bench");
        com.fasterxml.jackson.databind.ObjectMapper mapper =
                new com.fasterxml.jackson.databind.ObjectMapper();
        if (java.nio.file.Files.exists(dir.resolve("sweep.json"))) {
            List<JsonNode> points = new ArrayList<>();
            mapper.readTree(dir.resolve("sweep.json").toFile()).forEach(points::add);
            write(points, dir.resolve("saturation.png"));
        }
        if (java.nio.file.Files.exists(dir.resolve("latency-curve.json"))) {
            JsonNode curve = mapper.readTree(dir.resolve("latency-curve.json").toFile());
            List<JsonNode> points = new ArrayList<>();
            curve.get("points").forEach(points::add);
            writeLatencyCurve(
                    points, curve.get("offered_rate").asDouble(), dir.resolve("latency-curve.png"));
        }
        if (java.nio.file.Files.exists(dir.resolve("soak.json"))) {
            writeSoak(
                    mapper.readTree(dir.resolve("soak.json").toFile()).get("samples"),
                    dir.resolve("soak.png"));
        }
    }

    /** Achieved throughput and p99 latency against the offered input rate. */
    static void write(List<? extends JsonNode> points, Path file) throws IOException {
        List<double[]> throughput = new ArrayList<>();
        List<double[]> latency = new ArrayList<>();
        double maxRate = 0;
        for (JsonNode p : points) {
            maxRate = Math.max(maxRate, p.get("input_rate").asDouble());
        }
        double unlimitedX = maxRate * 1.15;
        for (JsonNode p : points) {
            double rate = p.get("input_rate").asDouble();
            double x = rate > 0 ? rate : unlimitedX;
            throughput.add(new double[] {x, p.get("events_per_second").asDouble()});
            latency.add(new double[] {x, p.get("p99_latency_ms").asDouble()});
        }
        draw(
                file,
                "Forwarder on 2 cores: throughput and p99 latency against input rate",
                "offered input rate (events/s; rightmost point: as fast as possible)",
                "events/s end to end",
                "p99 latency (ms, Kafka → Customer.io)",
                throughput,
                latency,
                unlimitedX * 1.05);
    }

    /**
     * Throughput as fast as possible, and p99 latency at a fixed offered rate, against the
     * simulated Customer.io round trip.
     */
    static void writeLatencyCurve(List<? extends JsonNode> points, double offeredRate, Path file)
            throws IOException {
        List<double[]> throughput = new ArrayList<>();
        List<double[]> latency = new ArrayList<>();
        double maxX = 0;
        for (JsonNode p : points) {
            double x = p.get("cio_latency_ms").asDouble();
            maxX = Math.max(maxX, x);
            throughput.add(new double[] {x, p.get("events_per_second").asDouble()});
            latency.add(new double[] {x, p.get("p99_latency_ms_at_offered_rate").asDouble()});
        }
        draw(
                file,
                "Forwarder on 2 cores: throughput and p99 latency against Customer.io's answer"
                        + " time",
                "simulated Customer.io answer time (ms)",
                "events/s end to end (as fast as possible)",
                String.format(
                        Locale.ROOT, "p99 latency (ms) at %,.0f events/s offered", offeredRate),
                throughput,
                latency,
                Math.max(1, maxX) * 1.1);
    }

    /** Heap and checkpointed state over a long run. */
    static void writeSoak(JsonNode samples, Path file) throws IOException {
        List<double[]> heap = new ArrayList<>();
        List<double[]> state = new ArrayList<>();
        double maxX = 0;
        for (JsonNode s : samples) {
            double x = s.get("seconds").asDouble();
            maxX = Math.max(maxX, x);
            heap.add(new double[] {x, s.get("heap_floor_mb").asDouble()});
            state.add(new double[] {x, s.get("checkpoint_state_mb").asDouble()});
        }
        draw(
                file,
                "Long run: TaskManager heap and checkpointed state",
                "seconds",
                "TaskManager heap after collections (MB, lowest per 15 s)",
                "checkpointed state (MB)",
                heap,
                state,
                maxX * 1.05 + 1);
    }

    private static void draw(
            Path file,
            String title,
            String xLabel,
            String leftLabel,
            String rightLabel,
            List<double[]> left,
            List<double[]> right,
            double maxX)
            throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double maxLeft = niceMax(left);
        double maxRight = niceMax(right);

        g.setColor(new Color(230, 230, 230));
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - plotH * i / 5;
            g.drawLine(LEFT, y, LEFT + plotW, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - plotH * i / 5;
            g.setColor(new Color(30, 90, 180));
            g.drawString(label(maxLeft * i / 5), 10, y + 4);
            g.setColor(new Color(200, 80, 30));
            g.drawString(label(maxRight * i / 5), LEFT + plotW + 8, y + 4);
        }
        g.setColor(Color.DARK_GRAY);
        for (int i = 0; i <= 5; i++) {
            int x = LEFT + plotW * i / 5;
            g.drawString(label(maxX * i / 5), x - 15, TOP + plotH + 18);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(title, LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(xLabel, LEFT, HEIGHT - 20);
        g.setColor(new Color(30, 90, 180));
        g.drawString("● " + leftLabel, LEFT, 48);
        g.setColor(new Color(200, 80, 30));
        g.drawString("■ " + rightLabel, LEFT + plotW / 2 + 40, 48);

        series(g, left, maxX, maxLeft, plotW, plotH, new Color(30, 90, 180), true);
        series(g, right, maxX, maxRight, plotW, plotH, new Color(200, 80, 30), false);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void series(
            Graphics2D g,
            List<double[]> points,
            double maxX,
            double maxY,
            int plotW,
            int plotH,
            Color color,
            boolean circles) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        int[] px = new int[points.size()];
        int[] py = new int[points.size()];
        for (int i = 0; i < points.size(); i++) {
            px[i] = LEFT + (int) (plotW * points.get(i)[0] / maxX);
            py[i] = TOP + plotH - (int) (plotH * points.get(i)[1] / maxY);
        }
        g.drawPolyline(px, py, points.size());
        for (int i = 0; i < points.size(); i++) {
            if (circles) {
                g.fillOval(px[i] - 4, py[i] - 4, 8, 8);
            } else {
                g.fillRect(px[i] - 4, py[i] - 4, 8, 8);
            }
        }
    }

    private static double niceMax(List<double[]> points) {
        double max = 1;
        for (double[] p : points) {
            max = Math.max(max, p[1]);
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        return Math.ceil(max * 1.1 / magnitude) * magnitude;
    }

    private static String label(double v) {
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1000);
        }
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%.1fk", v / 1000);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
