package dev.cioforwarder.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The long outage's checkpoint age over time as PNG, with plain Java2D like the benchmark's plots
 * (headless; no plotting library): the age from Flink's checkpoint statistics as a line, the job's
 * gauge as dots, the outage shaded (its dropped-connection phases darker) and the upgrade marked.
 */
final class CheckpointAgePlot {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 90;
    private static final int BOTTOM = 70;

    private static final Color AGE = new Color(30, 90, 180);
    private static final Color GAUGE = new Color(200, 80, 30);
    private static final Color OUTAGE = new Color(250, 225, 225);
    private static final Color DROPPED = new Color(235, 200, 215);
    private static final Color UPGRADE = new Color(120, 120, 120, 90);
    private static final Color TIMEOUT = new Color(190, 30, 30);

    private CheckpointAgePlot() {}

    /** Draws the plot again from a result.json: {@code CheckpointAgePlot RESULT_JSON OUT_PNG}. */
    public static void main(String[] args) throws IOException {
        JsonNode root = ChaosStack.MAPPER.readTree(Path.of(args[0]).toFile());
        for (JsonNode scenario : root.path("scenarios")) {
            if (scenario.has("outage")) {
                write(
                        ChaosStack.MAPPER.treeToValue(scenario.get("outage"), OutageFigures.class),
                        Path.of(args[1]));
                return;
            }
        }
        throw new IllegalArgumentException(args[0] + " holds no outage scenario");
    }

    static void write(OutageFigures f, Path file) throws IOException {
        long t0 = f.scenarioStartMs;
        double maxX = Math.max(1, (f.scenarioEndMs - t0) / 60_000.0);
        double maxAge = 1;
        for (OutageFigures.Sample s : f.samples) {
            if (s.ageMs() != null) {
                maxAge = Math.max(maxAge, s.ageMs() / 1000.0);
            }
            if (s.gaugeMs() != null) {
                maxAge = Math.max(maxAge, s.gaugeMs() / 1000.0);
            }
        }
        double timeout = f.checkpointTimeoutMs / 1000.0;
        double maxY = niceMax(maxAge);
        boolean timeoutOnScale = timeout <= maxY * 1.5;
        if (timeoutOnScale) {
            maxY = niceMax(Math.max(maxAge, timeout));
        }

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        Scale scale = new Scale(t0, maxX, maxY, plotW, plotH);

        // The outage, its dropped-connection phases, the upgrade.
        g.setColor(OUTAGE);
        fillSpan(g, scale, f.outageStartMs, f.outageEndMs, plotH);
        g.setColor(DROPPED);
        for (OutageFigures.Phase p : f.phases) {
            if (p.kind().equals("dropped")) {
                fillSpan(g, scale, p.startMs(), p.endMs(), plotH);
            }
        }
        if (f.upgrade != null) {
            g.setColor(UPGRADE);
            fillSpan(g, scale, f.upgrade.startMs(), f.upgrade.endMs(), plotH);
        }

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(225, 225, 225));
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - plotH * i / 5;
            g.drawLine(LEFT, y, LEFT + plotW, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(LEFT, TOP, plotW, plotH);
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - plotH * i / 5;
            g.drawString(label(maxY * i / 5), LEFT - 40, y + 4);
        }
        double step = 0.5;
        for (double candidate : new double[] {0.5, 1, 2, 5, 10, 15, 30}) {
            step = candidate;
            if (maxX / candidate <= 12) {
                break;
            }
        }
        for (double minute = 0; minute <= maxX + 1e-9; minute += step) {
            int x = scale.x(t0 + Math.round(minute * 60_000));
            g.drawLine(x, TOP + plotH, x, TOP + plotH + 4);
            g.drawString(label(minute), x - 8, TOP + plotH + 18);
        }
        g.drawString("minutes since the scenario started", LEFT, HEIGHT - 36);
        Graphics2D vertical = (Graphics2D) g.create();
        vertical.rotate(-Math.PI / 2);
        vertical.drawString("checkpoint age (s)", -(TOP + plotH / 2 + 50), 20);
        vertical.dispose();

        if (timeoutOnScale) {
            g.setColor(TIMEOUT);
            g.setStroke(
                    new BasicStroke(
                            1.5f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_MITER,
                            10f,
                            new float[] {6f, 4f},
                            0f));
            int y = scale.y(timeout);
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.drawString(
                    String.format(Locale.ROOT, "checkpoint timeout %.0f s", timeout),
                    LEFT + 6,
                    y - 4);
        }

        // The job's gauge (dots), then the age from the checkpoint statistics (line).
        g.setColor(GAUGE);
        for (OutageFigures.Sample s : f.samples) {
            if (s.gaugeMs() != null) {
                int x = scale.x(s.timeMs());
                int y = scale.y(s.gaugeMs() / 1000.0);
                g.fillOval(x - 2, y - 2, 4, 4);
            }
        }
        g.setColor(AGE);
        g.setStroke(new BasicStroke(1.6f));
        int px = -1;
        int py = -1;
        for (OutageFigures.Sample s : f.samples) {
            if (s.ageMs() == null) {
                px = -1;
                continue;
            }
            int x = scale.x(s.timeMs());
            int y = scale.y(s.ageMs() / 1000.0);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }

        // Title and legend.
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(
                String.format(
                        Locale.ROOT,
                        "Checkpoint age through a %.0f-minute Customer.io outage (checkpoints every"
                                + " %.0f s, timeout %.0f s)",
                        (f.outageEndMs - f.outageStartMs) / 60_000.0,
                        f.checkpointIntervalMs / 1000.0,
                        timeout),
                LEFT,
                24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int ly = 46;
        legendLine(g, LEFT, ly, AGE, "age of the latest completed checkpoint or savepoint (REST)");
        g.setColor(GAUGE);
        g.fillOval(LEFT + 500, ly - 6, 6, 6);
        g.setColor(Color.DARK_GRAY);
        g.drawString("job gauge checkpoint_age_ms (REST, refreshed every 10 s)", LEFT + 512, ly);
        ly += 18;
        legendBox(g, LEFT, ly, OUTAGE, "every request answered 503");
        legendBox(g, LEFT + 220, ly, DROPPED, "every connection dropped");
        legendBox(g, LEFT + 420, ly, UPGRADE, "scripts/upgrade.sh (savepoint, restart)");
        if (!timeoutOnScale) {
            g.setColor(TIMEOUT);
            g.drawString(
                    String.format(Locale.ROOT, "timeout %.0f s: off the scale", timeout),
                    LEFT + 700,
                    ly);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private record Scale(long t0, double maxX, double maxY, int plotW, int plotH) {
        int x(long timeMs) {
            double minutes = (timeMs - t0) / 60_000.0;
            return LEFT + (int) Math.round(plotW * Math.max(0, Math.min(maxX, minutes)) / maxX);
        }

        int y(double value) {
            return TOP + plotH - (int) Math.round(plotH * Math.min(maxY, value) / maxY);
        }
    }

    private static void fillSpan(Graphics2D g, Scale scale, long from, long to, int plotH) {
        int x0 = scale.x(from);
        int x1 = scale.x(to);
        g.fillRect(x0, TOP, Math.max(1, x1 - x0), plotH);
    }

    private static void legendLine(Graphics2D g, int x, int y, Color color, String text) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2f));
        g.drawLine(x, y - 4, x + 18, y - 4);
        g.setColor(Color.DARK_GRAY);
        g.drawString(text, x + 24, y);
    }

    private static void legendBox(Graphics2D g, int x, int y, Color color, String text) {
        g.setColor(color);
        g.fillRect(x, y - 10, 18, 12);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, y - 10, 18, 12);
        g.drawString(text, x + 24, y);
    }

    private static double niceMax(double max) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
        return Math.ceil(max * 1.1 / magnitude) * magnitude;
    }

    private static String label(double v) {
        return v == Math.rint(v)
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.1f", v);
    }
}
