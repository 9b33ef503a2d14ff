package nnc.compiler.passes;

import java.util.HashMap;
import java.util.Map;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;

/**
 * Common-subexpression elimination by re-interning: every node, rebuilt bottom-up over its
 * canonical operands, is looked up by structure (op, payload, operands by identity) and replaced
 * by the first equal node seen. Nodes built through one {@link nnc.compiler.ir.IrBuilder} are
 * already unique, and the driver re-interns as it rewrites, so after the other passes this one
 * mostly confirms it; it also merges nodes that were built apart (another builder, say), and
 * together with the canonical operand order of + and * it makes {@code a*b} and {@code b*a} one.
 */
final class CommonSubexpressions implements Pass {
  @Override
  public String name() {
    return "cse";
  }

  @Override
  public Graph apply(Graph g) {
    Map<Node, Node> seen = new HashMap<>();
    return Rewriter.rewrite(g, name(), (n, b) -> {
      Node first = seen.putIfAbsent(n, n);
      return first == null ? null : first;
    });
  }
}
