package nnc.compiler.ir;

import java.util.Map;

/**
 * The training objective of a model: {@code train minimize loss with sgd(lr = 0.005) batch 8}.
 *
 * @param objective the scalar to minimize
 * @param optimizer the optimizer's name and its keyword arguments
 * @param options the remaining clauses (batch, epochs, schedule, ...) by name
 * @param metrics scalar metrics ({@code metric acc = accuracy(logits, y)}) by name, in declaration order
 * @param stateUpdates for each model state updated by the training step (batch norm's running
 *     statistics), by state name: its new value, computed from the training forward pass and
 *     written after the step has read the old one
 */
public record TrainSpec(Node objective, Call optimizer, Map<String, Object> options, Map<String, Node> metrics, Span span,
    Map<String, Node> stateUpdates) {
  public TrainSpec {
    options = Map.copyOf(options);
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    stateUpdates = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stateUpdates));
  }

  /** A spec whose training step updates no model state. */
  public TrainSpec(Node objective, Call optimizer, Map<String, Object> options, Map<String, Node> metrics, Span span) {
    this(objective, optimizer, options, metrics, span, Map.of());
  }

  /** A spec without metrics (kept for callers written before metrics existed). */
  public TrainSpec(Node objective, Call optimizer, Map<String, Object> options, Span span) {
    this(objective, optimizer, options, Map.of(), span);
  }

  /** The same spec with the objective, the metrics and the state updates replaced (graph rewrites use this to keep them). */
  public TrainSpec withNodes(java.util.function.UnaryOperator<Node> replace) {
    Map<String, Node> m = new java.util.LinkedHashMap<>(), u = new java.util.LinkedHashMap<>();
    metrics.forEach((k, v) -> m.put(k, replace.apply(v)));
    stateUpdates.forEach((k, v) -> u.put(k, replace.apply(v)));
    return new TrainSpec(replace.apply(objective), optimizer, options, m, span, u);
  }

  /** A call written in a train clause, e.g. {@code adam(lr = 0.001)}; arguments by name. */
  public record Call(String name, Map<String, Double> args) {
    public Call {
      args = Map.copyOf(args);
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(name);
      if (!args.isEmpty()) {
        sb.append('(');
        args.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
            sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ").append(e.getKey()).append(" = ")
                .append(Leaf.Literal.format(e.getValue())));
        sb.append(')');
      }
      return sb.toString();
    }
  }
}
