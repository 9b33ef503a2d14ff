package nnc.compiler.passes;

import java.util.List;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.Indexing;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Normalizer;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Window;

/** A node rebuilt over new operands with the same op and payload, through the builder (so interned). */
final class Rebuild {
  private Rebuild() {}

  /** {@code n} with operands {@code in} (same count and types as its own); {@code n} itself when nothing changed. */
  static Node withInputs(IrBuilder b, Node n, List<Node> in) {
    if (Node.sameInputs(n.inputs(), in)) return n;
    // Exhaustive on purpose: a new node kind must say here how it is rebuilt.
    return switch (n) {
      case Leaf.Input x -> x;
      case Leaf.Param x -> x;
      case Leaf.Constant x -> x;
      case Leaf.DimSize x -> x;
      case Leaf.Iota x -> x;
      case Leaf.Noise x -> x;
      case Leaf.State x -> x;
      case Elementwise.Unary u -> b.unary(u.op(), in.get(0));
      case Elementwise.Binary x -> b.binary(x.op(), in.get(0), in.get(1));
      case Elementwise.Where w -> b.where(in.get(0), in.get(1), in.get(2));
      case Elementwise.Cast c -> b.cast(in.get(0), c.dtype());
      case Reduction.Reduce r -> b.reduce(r.op(), in.get(0), r.axes(), r.keepDims());
      case Reduction.ArgMax a -> b.argMax(in.get(0), a.axis());
      case Reduction.FirstMaxMask m -> b.firstMaxMask(in.get(0), m.axes(), m.min());
      case Linalg.MatMul m -> b.matmul(in.get(0), in.get(1));
      case Movement.Transpose t -> b.transpose(in.get(0), t.perm());
      case Movement.Reshape r -> b.reshape(in.get(0), r.shape());
      case Movement.Broadcast x -> b.broadcast(in.get(0), x.shape());
      case Movement.Slice s -> b.slice(in.get(0), s.start(), sizes(s));
      case Movement.Pad p -> b.pad(in.get(0), p.lo(), p.hi());
      case Movement.Concat c -> b.concat(in, c.axis());
      case Indexing.Gather x -> b.gather(in.get(0), in.get(1));
      case Indexing.ScatterAdd s -> b.scatterAdd(in.get(0), in.get(1), s.shape());
      case Normalizer.Softmax s -> b.softmax(in.get(0), s.axis());
      case Normalizer.LogSoftmax s -> b.logSoftmax(in.get(0), s.axis());
      case Control.StopGradient s -> b.stopGradient(in.get(0));
      case Control.Dropout d -> b.dropout(in.get(0), in.get(1), d.p());
      case Window.Unfold u -> b.unfold(in.get(0), u.geometry());
      case Window.Fold f -> b.fold(in.get(0), f.geometry(), f.h(), f.w());
      case Control.ByMode m -> b.byMode(in.get(0), in.get(1));
    };
  }

  /** A slice's sizes in the form {@link IrBuilder#slice} takes: -1 keeps a (symbolic) axis whole. */
  private static List<Integer> sizes(Movement.Slice s) {
    return s.shape().dims().stream().map(d -> d instanceof Dim.Fixed f ? f.size() : -1).toList();
  }
}
