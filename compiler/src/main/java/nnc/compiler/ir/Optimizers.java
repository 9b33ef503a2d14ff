package nnc.compiler.ir;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The optimizers a train statement may name, with their hyper-parameters and defaults (PyTorch's,
 * per DESIGN.md: Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8; AdamW weight decay 0.01). The front
 * end checks arguments against this table; the lowering reads the defaults.
 */
public final class Optimizers {
  private static final Map<String, Map<String, Double>> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("sgd", Map.of("lr", 0.01, "momentum", 0.0, "weight_decay", 0.0));
    DEFAULTS.put("momentum", Map.of("lr", 0.01, "momentum", 0.9, "weight_decay", 0.0));
    DEFAULTS.put("nesterov", Map.of("lr", 0.01, "momentum", 0.9, "weight_decay", 0.0));
    DEFAULTS.put("rmsprop", Map.of("lr", 0.01, "alpha", 0.99, "eps", 1e-8, "weight_decay", 0.0));
    DEFAULTS.put("adam", Map.of("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.0));
    DEFAULTS.put("adamw", Map.of("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", 0.01));
    DEFAULTS.put("lion", Map.of("lr", 1e-4, "beta1", 0.9, "beta2", 0.99, "weight_decay", 0.0));
  }

  private Optimizers() {}

  public static Set<String> names() {
    return DEFAULTS.keySet();
  }

  public static Set<String> parameters(String optimizer) {
    return DEFAULTS.get(optimizer).keySet();
  }

  /** The value of a hyper-parameter: as written in the train statement, else the default. */
  public static double get(TrainSpec.Call call, String name) {
    Double v = call.args().get(name);
    return v != null ? v : DEFAULTS.get(call.name()).get(name);
  }
}
