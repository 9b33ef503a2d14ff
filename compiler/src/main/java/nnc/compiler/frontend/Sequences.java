package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;
import nnc.runtime.DType;

/**
 * Lists of tensors, as an unrolled recurrence produces them: {@code append} grows a list (one
 * step's output per iteration of a loop) and {@code stack} joins a list of equally shaped tensors
 * along a new axis (a sequence of [B, H] states becomes [B, T, H] with {@code axis = 1}).
 */
final class Sequences {
  private Sequences() {}

  static void define() {
    Builtins.def("append", List.of("xs", "x"), (a, b, ex) -> {
      List<Value> items = new ArrayList<>(a.list("xs"));
      items.add(a.value("x"));
      return new Value.Items(items);
    });
    Builtins.def("stack", List.of("xs", "axis=0"), (a, b, ex) -> {
      List<Value> items = a.list("xs");
      if (items.isEmpty()) throw new IrException("stack: nothing to stack");
      List<Node> parts = new ArrayList<>();
      for (Value v : items) parts.add(ex.toTensor(v, DType.F32, a.at("xs")));
      Node first = parts.get(0);
      int axis = a.axis("axis", first.shape().rank() + 1);
      List<Node> lifted = new ArrayList<>();
      for (Node p : parts) {
        if (!p.type().equals(first.type())) {
          throw new IrException("stack: every tensor must have the type of the first, " + first.type() + ", got " + p.type());
        }
        lifted.add(b.reshape(p, p.shape().insert(axis, Dim.of(1))));
      }
      return Builtins.t(lifted.size() == 1 ? lifted.get(0) : b.concat(lifted, axis));
    });
  }
}
