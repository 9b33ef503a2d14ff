package nnc.compiler.lower;

import java.util.LinkedHashMap;
import java.util.Map;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.compiler.passes.Rewriter;

/**
 * Resolves {@link Control.ByMode} for one entry point: the training step takes the training
 * branch, inference and evaluation the other. It runs on an entry's roots before the optimizer,
 * so the branch an entry does not use is dead code there (never lowered), and the zero
 * cotangents by_mode's gradient sends to the unused branch fold away.
 */
final class Modes {
  private Modes() {}

  static Map<String, Node> resolve(Graph g, Map<String, Node> roots, boolean training) {
    Graph packed = g.withOutputs(roots);
    Graph resolved = Rewriter.rewrite(packed, "modes", (n, b) -> n instanceof Control.ByMode m ? m.branch(training) : null);
    return new LinkedHashMap<>(resolved.outputs());
  }
}
