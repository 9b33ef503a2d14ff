package nnc.compiler.passes;

import java.util.List;
import java.util.Map;
import nnc.compiler.interp.EvaluationException;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;

/**
 * Constant folding: a node whose operands are all constants becomes the constant it evaluates
 * to. The value comes from the reference interpreter, which applies the ops' own scalar tables
 * ({@code UnaryOp.apply}, {@code BinaryOp.apply}). Float constants are folded in f64 and kept
 * unrounded, like the literals of the source (an f32 {@code 1e-5}): code that runs in f32 rounds
 * them once when it loads them, and an f64 evaluation of the graph sees the exact value.
 *
 * <p>Only small results are folded ({@link #MAX_ELEMENTS}), and never a broadcast: materializing
 * it would replace a scalar by a tensor of copies (elementwise ops broadcast scalars themselves).
 */
final class FoldConstants implements Pass {
  static final int MAX_ELEMENTS = 64;

  @Override
  public String name() {
    return "fold";
  }

  @Override
  public Graph apply(Graph g) {
    return Rewriter.rewrite(g, name(), FoldConstants::rule);
  }

  static Node rule(Node n, IrBuilder b) {
    if (n.inputs().isEmpty() || n instanceof Movement.Broadcast) return null;
    for (Node in : n.inputs()) if (!(in instanceof Leaf.Constant)) return null;
    if (!n.shape().isStatic() || n.shape().staticSize() > MAX_ELEMENTS) return null;
    Graph empty = new Graph("fold", List.of(), List.of(), Map.of(), Map.of(), null, b);
    try {
      NDArray v = new Interpreter(empty, Map.of(), Map.of(), true).eval(n);
      return b.constant(v.data(), n.type());
    } catch (EvaluationException e) {
      return null; // e.g. a constant index out of range: left for run time to report where it happens
    }
  }
}
