package nnc.compiler.passes;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;

/**
 * Dead-code elimination. A graph holds its nodes only through its roots, so what the rewrites
 * left unreachable (softmax once log(softmax) became log_softmax, the quotients cancelled in a
 * gradient) is already gone from every walk; what remains is the table of named values, which
 * this pass prunes to the nodes the roots still use. Declared inputs and parameters are kept
 * whether used or not: they are the model's interface.
 */
final class DeadCode implements Pass {
  @Override
  public String name() {
    return "dce";
  }

  @Override
  public Graph apply(Graph g) {
    Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
    live.addAll(Graph.topoOrder(Rewriter.roots(g)));
    Map<String, Node> values = new LinkedHashMap<>();
    g.values().forEach((k, v) -> {
      if (live.contains(v) || v instanceof Leaf.Input || v instanceof Leaf.Param || v instanceof Leaf.State) values.put(k, v);
    });
    return new Graph(g.name(), g.inputs(), g.params(), g.outputs(), values, g.train(), g.builder(), g.states());
  }
}
