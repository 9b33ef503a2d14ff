package nnc.runtime.train;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A learning-rate schedule: the learning rate for step t (0 for the first step) of a run of
 * {@code total} steps, from the base learning rate of the optimizer. Written in a model as
 * {@code train ... schedule cosine(steps = 1000)}; arguments by name, counted in steps.
 *
 * <table>
 * <tr><td>constant</td><td>lr</td></tr>
 * <tr><td>step(size, gamma = 0.1)</td><td>lr · gamma^⌊t / size⌋</td></tr>
 * <tr><td>warmup(steps, start = 0)</td><td>linear from start·lr to lr over {@code steps}, then lr</td></tr>
 * <tr><td>cosine(steps = total, min_lr = 0)</td><td>min_lr + (lr − min_lr)(1 + cos(π t/steps))/2, then min_lr</td></tr>
 * <tr><td>warmup_cosine(warmup, steps = total, min_lr = 0)</td><td>linear warmup to lr, then cosine over the remaining steps</td></tr>
 * <tr><td>one_cycle(max_lr = lr, steps = total, pct_start = 0.3, div_factor = 25, final_div_factor = 1e4)</td>
 *     <td>PyTorch's OneCycleLR with cosine annealing: from max_lr/div_factor up to max_lr over pct_start·steps, then down to
 *     max_lr/(div_factor·final_div_factor)</td></tr>
 * </table>
 */
public interface Schedule {
  double lr(long step);

  static Schedule constant(double lr) {
    return t -> lr;
  }

  /** A schedule by name; unknown names or arguments are IllegalArgumentExceptions with one-line messages. */
  static Schedule of(String name, Map<String, Double> args, double base, long total) {
    Map<String, Set<String>> known = Map.of(
        "constant", Set.of(),
        "step", Set.of("size", "gamma"),
        "warmup", Set.of("steps", "start"),
        "cosine", Set.of("steps", "min_lr"),
        "warmup_cosine", Set.of("warmup", "steps", "min_lr"),
        "one_cycle", Set.of("max_lr", "steps", "pct_start", "div_factor", "final_div_factor"));
    Set<String> params = known.get(name);
    if (params == null) throw new IllegalArgumentException("unknown schedule '" + name + "'; known: " + String.join(", ", new TreeSet<>(known.keySet())));
    for (String a : args.keySet()) {
      if (!params.contains(a)) {
        throw new IllegalArgumentException("schedule " + name + " has no parameter '" + a + "'"
            + (params.isEmpty() ? "" : "; parameters: " + String.join(", ", new TreeSet<>(params))));
      }
    }
    long horizon = Math.max(1, Math.round(args.getOrDefault("steps", (double) total)));
    return switch (name) {
      case "constant" -> constant(base);
      case "step" -> {
        if (!args.containsKey("size")) throw new IllegalArgumentException("schedule step needs size = STEPS (steps between decays)");
        long size = Math.max(1, Math.round(args.get("size")));
        double gamma = args.getOrDefault("gamma", 0.1);
        yield t -> base * Math.pow(gamma, t / size);
      }
      case "warmup" -> {
        if (!args.containsKey("steps")) throw new IllegalArgumentException("schedule warmup needs steps = N (the warm-up length)");
        double start = args.getOrDefault("start", 0.0);
        yield t -> t >= horizon ? base : base * (start + (1 - start) * (double) t / horizon);
      }
      case "cosine" -> {
        double min = args.getOrDefault("min_lr", 0.0);
        yield t -> cosine(base, min, Math.min(t, horizon), horizon);
      }
      case "warmup_cosine" -> {
        if (!args.containsKey("warmup")) throw new IllegalArgumentException("schedule warmup_cosine needs warmup = N (warm-up steps)");
        long w = Math.max(0, Math.round(args.get("warmup")));
        double min = args.getOrDefault("min_lr", 0.0);
        long rest = Math.max(1, horizon - w);
        yield t -> t < w ? base * (double) (t + 1) / (w + 1) : cosine(base, min, Math.min(t - w, rest), rest);
      }
      case "one_cycle" -> {
        double max = args.getOrDefault("max_lr", base);
        double pct = args.getOrDefault("pct_start", 0.3), div = args.getOrDefault("div_factor", 25.0);
        double fin = args.getOrDefault("final_div_factor", 1e4);
        double initial = max / div, last = initial / fin;
        double up = Math.max(1, pct * horizon - 1), down = Math.max(1, horizon - 1 - up);
        yield t -> {
          if (t <= up) return anneal(initial, max, t / up);
          return anneal(max, last, Math.min(1, (t - up) / down));
        };
      }
      default -> throw new IllegalStateException(name);
    };
  }

  private static double cosine(double base, double min, long t, long horizon) {
    return min + (base - min) * (1 + Math.cos(Math.PI * t / horizon)) / 2;
  }

  /** Cosine interpolation from {@code a} (at 0) to {@code b} (at 1), as PyTorch's OneCycleLR. */
  private static double anneal(double a, double b, double pct) {
    return b + (a - b) / 2 * (Math.cos(Math.PI * pct) + 1);
  }
}
