package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Indexing;
import nnc.compiler.ir.Shape;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.St;

/** Row lookup and its adjoint: one row copy (or accumulation) per index. */
final class Gathers {
  private Gathers() {}

  static List<St> gather(EntryLowering e, Indexing.Gather g, Buffer out) {
    Shape is = g.idx().shape();
    Ix row = rowSize(e, g.table().shape());
    Buffer table = e.buffer(g.table());
    return Loops.nest(e.layout, is, "i", idx -> List.of(
        new St.DeclareInt("r", new Ix.FromFloat(e.load(g.idx(), idx))),
        new St.ElementLoop("d", Ix.c(0), row, List.of(new St.Store(out.space(),
            Ix.add(e.offset(out), Ix.add(Ix.mul(Loops.dot(idx, e.layout.strides(is)), row), Ix.v("d"))),
            new Fx.Load(table.space(), Ix.add(e.offset(table), Ix.add(Ix.mul(Ix.v("r"), row), Ix.v("d")))), false)))));
  }

  static List<St> scatterAdd(EntryLowering e, Indexing.ScatterAdd s, Buffer out) {
    Shape is = s.idx().shape();
    Ix row = rowSize(e, s.shape());
    Buffer src = e.buffer(s.src());
    List<St> body = new ArrayList<>();
    body.add(new St.ElementLoop("z", Ix.c(0), e.layout.size(s.shape()),
        List.of(new St.Store(out.space(), Ix.add(e.offset(out), Ix.v("z")), Fx.c(0), false))));
    body.addAll(Loops.nest(e.layout, is, "i", idx -> List.of(
        new St.DeclareInt("r", new Ix.FromFloat(e.load(s.idx(), idx))),
        new St.ElementLoop("d", Ix.c(0), row, List.of(new St.Store(out.space(),
            Ix.add(e.offset(out), Ix.add(Ix.mul(Ix.v("r"), row), Ix.v("d"))),
            new Fx.Load(src.space(), Ix.add(e.offset(src), Ix.add(Ix.mul(Loops.dot(idx, e.layout.strides(is)), row), Ix.v("d")))),
            true))))));
    return body;
  }

  private static Ix rowSize(EntryLowering e, Shape table) {
    return e.layout.size(new Shape(table.dims().subList(1, table.rank())));
  }
}
