package nnc.compiler.autodiff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;

/**
 * The graph that {@code nnc graph --grad} shows: the objective and its gradients with respect to
 * every parameter (or the named values given), as roots {@code loss}, {@code grad.W1}, ...
 */
public final class GradientGraph {
  private GradientGraph() {}

  /** Roots of the gradient graph; throws IllegalArgumentException naming an unknown or unused wrt. */
  public static Map<String, Node> roots(Graph g, List<String> wrtNames) {
    return roots(g, wrtNames, 1);
  }

  /**
   * The same, differentiating {@code scale * objective} (loss scaling: the gradients come out
   * multiplied by {@code scale}; the {@code loss} root stays the unscaled objective).
   */
  public static Map<String, Node> roots(Graph g, List<String> wrtNames, double scale) {
    Node objective = GradCheck.objective(g);
    Node differentiated = scale == 1 ? objective : g.builder().mul(objective, g.builder().scalar(scale, objective));
    List<String> names = new ArrayList<>(wrtNames);
    if (names.isEmpty()) g.params().forEach(p -> names.add(p.name()));
    List<Node> wrt = new ArrayList<>();
    for (String n : names) {
      Node node = g.values().get(n);
      if (node == null) {
        throw new IllegalArgumentException("--wrt " + n + ": the model has no value named '" + n + "'"
            + (g.params().isEmpty() ? "" : " (parameters: " + String.join(", ", g.params().stream().map(p -> p.name()).toList()) + ")"));
      }
      if (!node.type().isFloat()) throw new IllegalArgumentException("--wrt " + n + ": " + node.type() + " is not a float tensor");
      wrt.add(node);
    }
    Map<Node, Node> grads = Autodiff.grad(g.builder(), differentiated, wrt);
    Map<String, Node> roots = new LinkedHashMap<>();
    roots.put("loss", objective);
    for (int i = 0; i < wrt.size(); i++) {
      Node gr = grads.get(wrt.get(i));
      if (gr == null) {
        if (!wrtNames.isEmpty()) throw new IllegalArgumentException("--wrt " + names.get(i) + ": the objective does not depend on it");
        continue;
      }
      roots.put("grad." + names.get(i), gr);
    }
    return roots;
  }
}
