package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.grammar.NnParser;
import nnc.runtime.DType;

/**
 * {@code x[...]}: Python-style basic indexing with static integers ({@code x[0]}, {@code x[:, 2:5]},
 * negative indices count from the end, step 1), and row lookup when the index is an i32 tensor
 * ({@code E[tokens]}, an embedding).
 */
final class Indexer {
  private Indexer() {}

  static Value index(Expressions ex, NnParser.IndexExprContext x, Value target, Scope scope) {
    if (target instanceof Value.Poison) return target;
    Elaborator el = ex.elaborator();
    if (target instanceof Value.Items items) return listItem(ex, x, items, scope);
    Node t = ex.toTensor(target, DType.F32, x.expr());
    List<NnParser.SliceItemContext> items = x.sliceItem();
    if (items.size() == 1 && items.get(0) instanceof NnParser.PointSliceContext p) {
      Value v = ex.eval(p.expr(), scope);
      if (v instanceof Value.Tensor idx) return new Value.Tensor(ex.guard(x, () -> ex.ir().gather(t, idx.node())));
    }
    if (items.size() > t.shape().rank()) {
      throw el.error(x, "index: " + items.size() + " indices for a tensor " + t.type() + " of rank " + t.shape().rank());
    }
    List<Integer> start = new ArrayList<>(), size = new ArrayList<>();
    List<Integer> dropped = new ArrayList<>();
    for (int i = 0; i < t.shape().rank(); i++) {
      Dim d = t.shape().get(i);
      if (i >= items.size() || isFull(items.get(i))) {
        start.add(0);
        size.add(-1);
        continue;
      }
      if (!(d instanceof Dim.Fixed f)) throw el.error(items.get(i), "index: cannot index the symbolic axis " + d + " of " + t.type());
      int n = f.size();
      switch (items.get(i)) {
        case NnParser.PointSliceContext p -> {
          int k = resolve(ex.integer(p.expr(), scope, "index"), n, p, el, false, i, t);
          start.add(k);
          size.add(1);
          dropped.add(i);
        }
        case NnParser.RangeSliceContext r -> {
          int lo = r.lo == null ? 0 : resolve(ex.integer(r.lo, scope, "slice start"), n, r.lo, el, true, i, t);
          int hi = r.hi == null ? n : resolve(ex.integer(r.hi, scope, "slice end"), n, r.hi, el, true, i, t);
          if (hi <= lo) throw el.error(r, "index: empty slice " + lo + ":" + hi + " of axis " + i + " of " + t.type());
          start.add(lo);
          size.add(hi - lo);
        }
        default -> throw new IllegalStateException();
      }
    }
    Node sliced = ex.guard(x, () -> ex.ir().slice(t, start, size));
    Shape s = sliced.shape();
    for (int k = dropped.size() - 1; k >= 0; k--) s = s.remove(dropped.get(k));
    Shape target2 = s;
    return new Value.Tensor(ex.guard(x, () -> ex.ir().reshape(sliced, target2)));
  }

  private static boolean isFull(NnParser.SliceItemContext s) {
    return s instanceof NnParser.RangeSliceContext r && r.lo == null && r.hi == null;
  }

  private static int resolve(int k, int n, org.antlr.v4.runtime.ParserRuleContext at, Elaborator el, boolean bound,
      int axis, Node t) {
    int r = k < 0 ? k + n : k;
    if (r < 0 || r > n || (!bound && r == n)) {
      throw el.error(at, "index: " + k + " is out of range for axis " + axis + " of " + t.type() + " (size " + n + ")");
    }
    return r;
  }

  private static Value listItem(Expressions ex, NnParser.IndexExprContext x, Value.Items items, Scope scope) {
    if (x.sliceItem().size() != 1 || !(x.sliceItem(0) instanceof NnParser.PointSliceContext p)) {
      throw ex.elaborator().error(x, "a list takes one integer index");
    }
    int k = ex.integer(p.expr(), scope, "index");
    int n = items.items().size();
    if (k < -n || k >= n) throw ex.elaborator().error(x, "index " + k + " is out of range for a list of " + n);
    return items.items().get(k < 0 ? k + n : k);
  }

}
