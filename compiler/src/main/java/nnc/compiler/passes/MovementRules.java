package nnc.compiler.passes;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Control;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.Elementwise;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Movement;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Shape;

/**
 * Movement ops collapsed and absorbed: transpose of transpose and reshape of reshape compose,
 * broadcasts of broadcasts merge, and an operand that an elementwise op would
 * broadcast anyway (a broadcast, a reshape that only adds leading 1s, a constant of equal
 * elements) is replaced by the smaller value. Elementwise unary ops move inside broadcasts, so
 * they run on the small tensor, and inside reshapes, which thereby meet and cancel; reductions
 * do not keep dims (a reshape, which is a view, does), so that equal reductions are one node.
 */
final class MovementRules {
  private MovementRules() {}

  static Node rule(Node n, IrBuilder b) {
    return switch (n) {
      case Movement.Transpose t when t.x() instanceof Movement.Transpose inner ->
          b.transpose(inner.x(), compose(inner.perm(), t.perm()));
      case Movement.Reshape r when r.x() instanceof Movement.Reshape inner -> b.reshape(inner.x(), r.shape());
      // A broadcast scalar has equal elements, so any reshape of it is a broadcast.
      case Movement.Reshape r when r.x() instanceof Movement.Broadcast br && br.x().shape().rank() == 0 ->
          b.broadcast(br.x(), r.shape());
      case Movement.Broadcast br when br.x() instanceof Movement.Broadcast inner -> b.broadcast(inner.x(), br.shape());
      case Movement.Broadcast br when br.x() instanceof Leaf.Constant c && !c.isScalar() && Match.uniform(c) != null ->
          b.broadcast(b.constant(Match.uniform(c), c.dtype()), br.shape());
      case Movement.Broadcast br when br.x() instanceof Movement.Reshape r && leadingOnesOnly(r)
          && r.x().shape().rank() <= br.shape().rank() -> b.broadcast(r.x(), br.shape());
      // Summing (or taking the max of) axes of size 1 moves no value.
      case Reduction.Reduce r when r.axes().list().stream().allMatch(a -> r.x().shape().get(a).isOne()) ->
          b.reshape(r.x(), r.shape());
      case Elementwise.Unary u when u.x() instanceof Movement.Broadcast br ->
          b.broadcast(b.unary(u.op(), br.x()), u.shape());
      case Elementwise.Cast c when c.x() instanceof Movement.Broadcast br ->
          b.broadcast(b.cast(br.x(), c.dtype()), c.shape());
      // Keepdims is a view of the plain reduction, which a mean and a variance of x can then share.
      case Reduction.Reduce r when r.keepDims() && !r.axes().list().isEmpty() ->
          b.reshape(b.reduce(r.op(), r.x(), r.axes(), false), r.shape());
      // Elementwise ops move inside reshapes (views), so that reshapes meet and cancel and the
      // unreshaped result can be shared.
      case Elementwise.Unary u when u.x() instanceof Movement.Reshape r -> b.reshape(b.unary(u.op(), r.x()), u.shape());
      case Elementwise.Cast c when c.x() instanceof Movement.Reshape r -> b.reshape(b.cast(r.x(), c.dtype()), c.shape());
      case Control.StopGradient s when s.x() instanceof Movement.Reshape r -> b.reshape(b.stopGradient(r.x()), s.shape());
      case Elementwise.Binary x when reshapedFrom(x) != null ->
          b.reshape(b.binary(x.op(), unreshaped(x.a()), unreshaped(x.b())), x.shape());
      case Elementwise.Where w when reshapedFrom(w) != null ->
          b.reshape(b.where(unreshaped(w.cond()), unreshaped(w.a()), unreshaped(w.b())), w.shape());
      case Elementwise.Binary x -> absorb(x, b);
      case Elementwise.Where w -> absorb(w, b);
      default -> null;
    };
  }

  private static Node absorb(Elementwise.Binary x, IrBuilder b) {
    Node a = smaller(x.a(), b), c = smaller(x.b(), b);
    if (a != null && same(x.shape(), a.shape(), x.b().shape())) return b.binary(x.op(), a, x.b());
    if (c != null && same(x.shape(), x.a().shape(), c.shape())) return b.binary(x.op(), x.a(), c);
    return null;
  }

  private static Node absorb(Elementwise.Where w, IrBuilder b) {
    Node c = smaller(w.cond(), b), x = smaller(w.a(), b), y = smaller(w.b(), b);
    if (c != null && same(w.shape(), c.shape(), w.a().shape(), w.b().shape())) return b.where(c, w.a(), w.b());
    if (x != null && same(w.shape(), w.cond().shape(), x.shape(), w.b().shape())) return b.where(w.cond(), x, w.b());
    if (y != null && same(w.shape(), w.cond().shape(), w.a().shape(), y.shape())) return b.where(w.cond(), w.a(), y);
    return null;
  }

  /**
   * The shape S when every operand of the elementwise node is a scalar or a reshape from S to the
   * node's shape (and at least one is such a reshape), else null: then op(reshape(x), ...) =
   * reshape(op(x, ...)).
   */
  private static Shape reshapedFrom(Node n) {
    Shape from = null;
    for (Node in : n.inputs()) {
      if (in instanceof Movement.Reshape r && r.shape().equals(n.shape())) {
        if (from != null && !from.equals(r.x().shape())) return null;
        from = r.x().shape();
      } else if (in.shape().rank() != 0) {
        return null;
      }
    }
    return from;
  }

  private static Node unreshaped(Node n) {
    return n instanceof Movement.Reshape r ? r.x() : n;
  }

  /** What an elementwise op can take instead of {@code n} and broadcast itself, or null. */
  private static Node smaller(Node n, IrBuilder b) {
    return switch (n) {
      case Movement.Broadcast br -> br.x();
      case Movement.Reshape r when leadingOnesOnly(r) -> r.x();
      case Leaf.Constant c when !c.isScalar() && Match.uniform(c) != null -> b.constant(Match.uniform(c), c.dtype());
      default -> null;
    };
  }

  /** Whether the operand shapes broadcast together to exactly {@code target}. */
  private static boolean same(Shape target, Shape... operands) {
    try {
      Shape s = operands[0];
      for (int i = 1; i < operands.length; i++) s = Elementwise.broadcast("", s, operands[i]);
      return s.equals(target);
    } catch (IrException e) {
      return false;
    }
  }

  /** Whether a reshape only adds or removes leading axes of size 1 (a no-op under broadcasting). */
  static boolean leadingOnesOnly(Movement.Reshape r) {
    return stripLeadingOnes(r.x().shape()).equals(stripLeadingOnes(r.shape()));
  }

  private static List<Dim> stripLeadingOnes(Shape s) {
    int i = 0;
    while (i < s.rank() && s.get(i).isOne()) i++;
    return s.dims().subList(i, s.rank());
  }

  /** Output axis i of transpose(transpose(x, first), second) is axis first[second[i]] of x. */
  private static List<Integer> compose(List<Integer> first, List<Integer> second) {
    List<Integer> out = new ArrayList<>();
    for (int p : second) out.add(first.get(p));
    return out;
  }
}
