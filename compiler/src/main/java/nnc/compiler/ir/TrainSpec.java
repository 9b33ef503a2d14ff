package nnc.compiler.ir;

import java.util.Map;

/**
 * The training objective of a model: {@code train minimize loss with sgd(lr = 0.005) batch 8}.
 *
 * @param objective the scalar to minimize
 * @param optimizer the optimizer's name and its keyword arguments
 * @param options the remaining clauses (batch, epochs, schedule, ...) by name
 */
public record TrainSpec(Node objective, Call optimizer, Map<String, Object> options, Span span) {
  public TrainSpec {
    options = Map.copyOf(options);
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
