package nnc.compiler.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnc.runtime.train.Trainer;

/** A plain SVG of training curves: the losses on the left, the metrics on the right, per epoch. */
final class Plot {
  private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  private static final int W = 420, H = 300, L = 60, R = 20, T = 40, B = 45;

  private Plot() {}

  static String svg(String model, List<Trainer.Epoch> history) {
    Map<String, double[]> losses = new LinkedHashMap<>(), metrics = new LinkedHashMap<>();
    int n = history.size();
    for (int i = 0; i < n; i++) {
      Trainer.Epoch e = history.get(i);
      put(losses, "train loss", n, i, e.trainLoss());
      for (var split : List.of(Map.entry("validation", e.validation()), Map.entry("test", e.test()))) {
        for (var f : split.getValue().entrySet()) {
          put(f.getKey().equals("loss") ? losses : metrics, split.getKey() + " " + f.getKey(), n, i, f.getValue());
        }
      }
    }
    int panels = metrics.isEmpty() ? 1 : 2;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", W * panels, H));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W * panels, H));
    panel(sb, 0, model + ": loss", losses, n);
    if (panels == 2) panel(sb, W, model + ": metrics", metrics, n);
    return sb.append("</svg>\n").toString();
  }

  private static void put(Map<String, double[]> m, String key, int n, int i, double v) {
    m.computeIfAbsent(key, k -> {
      double[] a = new double[n];
      java.util.Arrays.fill(a, Double.NaN);
      return a;
    })[i] = v;
  }

  private static void panel(StringBuilder sb, int x0, String title, Map<String, double[]> series, int n) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double[] s : series.values()) for (double v : s) if (Double.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12) {
      lo -= 0.5;
      hi += 0.5;
    }
    double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    int pw = W - L - R, ph = H - T - B;
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"13\" font-weight=\"bold\">%s</text>%n", x0 + L, esc(title)));
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n", x0 + L, T, pw, ph));
    for (int k = 0; k <= 4; k++) {
      double v = lo + (hi - lo) * k / 4;
      double y = T + ph - ph * k / 4.0;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>%n", x0 + L, x0 + L + pw, y, y));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>%n", x0 + L - 4, y + 4, v));
    }
    int ticks = Math.min(n, 10);
    for (int k = 0; k < ticks; k++) {
      int epoch = ticks == 1 ? 1 : 1 + (int) Math.round((n - 1) * k / (double) (ticks - 1));
      sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", xAt(x0, epoch - 1, n, pw), T + ph + 15, epoch));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">epoch</text>%n", x0 + L + pw / 2, H - 8));
    int c = 0;
    for (var s : series.entrySet()) {
      String color = COLORS[c % COLORS.length];
      List<String> pts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        double v = s.getValue()[i];
        if (!Double.isFinite(v)) continue;
        double x = xAt(x0, i, n, pw), y = T + ph - (v - lo) / (hi - lo) * ph;
        pts.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
        sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n", x, y, color));
      }
      if (pts.size() > 1) sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"%s\"/>%n", color, String.join(" ", pts)));
      int ly = T + 14 + 14 * c;
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", x0 + L + pw - 120, x0 + L + pw - 104, ly - 4, ly - 4, color));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0 + L + pw - 100, ly, esc(s.getKey())));
      c++;
    }
  }

  private static double xAt(int x0, int i, int n, int pw) {
    return x0 + L + (n == 1 ? pw / 2.0 : pw * i / (double) (n - 1));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
