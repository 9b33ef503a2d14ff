package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks the invariants of a graph: every node's stored type is the one its op's rule gives for
 * its operands, leaves are declared, and roots of a training graph are scalar. Runs after the
 * front end and (in tests and debug mode) between passes, so a pass that breaks a type is caught
 * where it happens rather than in the backend.
 */
public final class Verifier {
  private Verifier() {}

  /** Returns the problems found, empty when the graph is well formed. */
  public static List<String> check(Graph g, Map<String, Node> roots) {
    List<String> problems = new ArrayList<>();
    Numbering num = new Numbering(g, roots);
    for (Node n : num.order()) {
      try {
        TensorType expected = expectedType(n);
        if (!expected.equals(n.type())) {
          problems.add("%" + num.id(n) + " " + n.opName() + ": stored type " + n.type() + ", rule gives " + expected);
        }
      } catch (IrException e) {
        problems.add("%" + num.id(n) + " " + n.opName() + ": " + e.getMessage());
      }
      if (n instanceof Leaf.Input i && !g.inputs().contains(i)) problems.add("undeclared input " + i.name());
      if (n instanceof Leaf.Param p && !g.params().contains(p)) problems.add("undeclared param " + p.name());
      if (n instanceof Leaf.State st && !g.states().contains(st)) problems.add("undeclared state " + st.name());
    }
    if (g.train() != null && g.train().objective().type().rank() != 0) {
      problems.add("training objective is not a scalar: " + g.train().objective().type());
    }
    return problems;
  }

  /** Throws with every problem when the graph is malformed. */
  public static void verify(Graph g) {
    List<String> problems = check(g, g.roots());
    if (!problems.isEmpty()) throw new IllegalStateException("IR verification failed:\n  " + String.join("\n  ", problems));
  }

  private static TensorType expectedType(Node n) {
    return switch (n) {
      case Leaf.Input i -> i.type();
      case Leaf.Param p -> p.type();
      case Leaf.Constant c -> c.type();
      case Leaf.DimSize d -> d.type();
      case Leaf.Iota i -> i.type();
      case Leaf.Noise x -> x.type();
      case Leaf.State x -> x.type();
      case Elementwise.Unary u -> Elementwise.unaryType(u.op(), u.x().type());
      case Elementwise.Binary b -> Elementwise.binaryType(b.op(), b.a().type(), b.b().type());
      case Elementwise.Where w -> Elementwise.whereType(w.cond().type(), w.a().type(), w.b().type());
      case Elementwise.Cast c -> c.x().type().withDType(c.type().dtype());
      case Reduction.Reduce r -> Reduction.reduceType(r.op(), r.x().type(), r.axes(), r.keepDims());
      case Reduction.ArgMax a -> new TensorType(nnc.runtime.DType.I32, a.x().shape().remove(a.axis()));
      case Reduction.FirstMaxMask m -> m.x().type().withDType(nnc.runtime.DType.BOOL);
      case Linalg.MatMul m -> Linalg.matmulType(m.a().type(), m.b().type());
      case Movement.Transpose t -> Movement.transposeType(t.x().type(), t.perm());
      case Movement.Reshape r -> Movement.reshapeType(r.x().type(), r.shape());
      case Movement.Broadcast b -> Movement.broadcastType(b.x().type(), b.shape());
      case Movement.Slice s -> Movement.sliceType(s.x().type(), s.start(), sizes(s.shape()));
      case Movement.Pad p -> Movement.padType(p.x().type(), p.lo(), p.hi());
      case Movement.Concat c -> Movement.concatType(c.parts().stream().map(Node::type).toList(), c.axis());
      case Indexing.Gather x -> Indexing.gatherType(x.table().type(), x.idx().type());
      case Indexing.ScatterAdd s -> Indexing.scatterAddType(s.src().type(), s.idx().type(), s.shape());
      case Normalizer.Softmax s -> Normalizer.type("softmax", s.x().type(), s.axis());
      case Normalizer.LogSoftmax s -> Normalizer.type("log_softmax", s.x().type(), s.axis());
      case Control.StopGradient s -> s.x().type();
      case Control.Dropout d -> Control.dropoutType(d.x().type(), d.noise().type(), d.p());
      case Window.Unfold u -> Window.unfoldType(u.x().type(), u.geometry());
      case Window.Fold f -> Window.foldType(f.x().type(), f.geometry(), f.h(), f.w());
      case Control.ByMode m -> Control.byModeType(m.train().type(), m.eval().type());
    };
  }

  private static List<Integer> sizes(Shape s) {
    return s.dims().stream().map(d -> d instanceof Dim.Fixed f ? f.size() : -1).toList();
  }
}
