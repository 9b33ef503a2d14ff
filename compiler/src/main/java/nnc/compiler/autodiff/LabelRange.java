package nnc.compiler.autodiff;

import java.util.List;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Indexing;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;

/**
 * The range of valid values of an i32 input, read off how the graph uses it: compared with an
 * iota (one_hot, cross_entropy) the range is the iota's length; used as gather indices it is the
 * table's row count. Random test inputs must stay in range.
 */
final class LabelRange {
  private LabelRange() {}

  static int of(Graph g, Leaf.Input in) {
    int best = Integer.MAX_VALUE;
    for (Node n : Graph.topoOrder(g.roots().values())) {
      if (n instanceof Elementwise.Binary bin && bin.op() == BinaryOp.EQ) {
        best = Math.min(best, fromIota(bin.a(), bin.b(), in));
        best = Math.min(best, fromIota(bin.b(), bin.a(), in));
      }
      if (n instanceof Indexing.Gather ga && dependsOn(ga.idx(), in) && ga.table().shape().get(0) instanceof Dim.Fixed f) {
        best = Math.min(best, f.size());
      }
    }
    return best == Integer.MAX_VALUE ? 2 : best;
  }

  private static int fromIota(Node maybeIota, Node other, Leaf.Input in) {
    if (maybeIota instanceof Leaf.Iota iota && dependsOn(other, in)
        && iota.shape().get(iota.axis()) instanceof Dim.Fixed f) {
      return f.size();
    }
    return Integer.MAX_VALUE;
  }

  private static boolean dependsOn(Node n, Node target) {
    return Graph.topoOrder(List.of(n)).contains(target);
  }
}
