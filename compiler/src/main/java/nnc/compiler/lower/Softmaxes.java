package nnc.compiler.lower;

import java.util.List;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/**
 * softmax and log_softmax along an axis, in the stable form: per slice, the maximum, then the sum
 * of exp(x - max), then the result. Along the last axis all three loops vectorize.
 */
final class Softmaxes {
  private Softmaxes() {}

  static List<St> lower(EntryLowering e, Node x, int axis, boolean log, Buffer out) {
    Shape s = x.shape();
    Ix outer = e.layout.size(new Shape(s.dims().subList(0, axis)));
    Ix len = e.layout.dim(s.get(axis));
    Ix inner = e.layout.size(new Shape(s.dims().subList(axis + 1, s.rank())));
    Buffer in = e.buffer(x);
    // element k of slice (o, j): base + k * inner, base = o * len * inner + j
    Ix base = Ix.add(Ix.mul(Ix.v("o"), Ix.mul(len, inner)), Ix.v("j"));
    Ix at = Ix.add(base, Ix.mul(Ix.v("k"), inner));
    Fx xk = new Fx.Load(in.space(), Ix.add(e.offset(in), at));
    Fx shifted = new Fx.Binary(BinaryOp.SUB, xk, new Fx.Local("mx"));
    Fx result = log
        ? new Fx.Binary(BinaryOp.SUB, shifted, new Fx.Local("lse"))
        : new Fx.Binary(BinaryOp.DIV, new Fx.Unary(UnaryOp.EXP, shifted), new Fx.Local("sum"));
    // An infinite maximum (a row of -inf, or +inf) is replaced by 0, as the interpreter does.
    Fx finiteMax = new Fx.Select(new Fx.Binary(BinaryOp.EQ, new Fx.Unary(UnaryOp.ABS, new Fx.Local("mx")), Fx.c(Float.POSITIVE_INFINITY)),
        Fx.c(0), new Fx.Local("mx"));
    List<St> slice = List.of(
        new St.DeclareFloat("mx", Fx.c(Float.NEGATIVE_INFINITY)),
        new St.ReduceLoop("k", Ix.c(0), len, "mx", ReduceOp.MAX, xk),
        new St.SetFloat("mx", finiteMax),
        new St.DeclareFloat("sum", Fx.c(0)),
        new St.ReduceLoop("k", Ix.c(0), len, "sum", ReduceOp.SUM, new Fx.Unary(UnaryOp.EXP, shifted)),
        new St.DeclareFloat("lse", new Fx.Unary(UnaryOp.LOG, new Fx.Local("sum"))),
        new St.ElementLoop("k", Ix.c(0), len, List.of(new St.Store(out.space(), Ix.add(e.offset(out), at), result, false))));
    return List.of(new St.Loop("o", Ix.c(0), outer, List.of(new St.Loop("j", Ix.c(0), inner, slice))));
  }

}
