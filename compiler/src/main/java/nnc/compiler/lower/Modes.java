package nnc.compiler.lower;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TrainSpec;
import nnc.compiler.passes.Rewriter;

/**
 * Resolves {@link Control.ByMode} for one entry point: the training step takes the training
 * branch, inference and evaluation the other. It runs before the optimizer, so the branch an
 * entry does not use is dead code there and never lowered. The training step's objective is
 * resolved before it is differentiated ({@link #forTraining}), so its gradient graph holds no
 * by_mode and no zero cotangents for the branch it does not use.
 */
final class Modes {
  private Modes() {}

  static Map<String, Node> resolve(Graph g, Map<String, Node> roots, boolean training) {
    Graph packed = g.withOutputs(roots);
    Graph resolved = Rewriter.rewrite(packed, "modes", (n, b) -> n instanceof Control.ByMode m ? branch(b, m, training) : null);
    return new LinkedHashMap<>(resolved.outputs());
  }

  /** The chosen branch, broadcast to by_mode's shape (a gradient's zero branch is a scalar). */
  private static Node branch(IrBuilder b, Control.ByMode m, boolean training) {
    Node chosen = m.branch(training);
    return chosen.shape().equals(m.shape()) ? chosen : b.broadcast(chosen, m.shape());
  }

  /** The model with its objective, metrics and state updates in their training form. */
  static Graph forTraining(Graph g) {
    TrainSpec t = g.train();
    Map<String, Node> roots = new LinkedHashMap<>();
    roots.put("objective", t.objective());
    t.metrics().forEach((k, v) -> roots.put("metric." + k, v));
    t.stateUpdates().forEach((k, v) -> roots.put("state." + k, v));
    Map<String, Node> resolved = resolve(g, roots, true);
    Map<Node, Node> replaced = new IdentityHashMap<>();
    roots.forEach((k, v) -> replaced.put(v, resolved.get(k)));
    TrainSpec train = t.withNodes(n -> replaced.getOrDefault(n, n));
    return new Graph(g.name(), g.inputs(), g.params(), g.outputs(), g.values(), train, g.builder(), g.states());
  }
}
