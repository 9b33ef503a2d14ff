package nnc.compiler.backend.java;

import static nnc.compiler.backend.java.KernelCases.accumulate;
import static nnc.compiler.backend.java.KernelCases.add;
import static nnc.compiler.backend.java.KernelCases.c;
import static nnc.compiler.backend.java.KernelCases.eloop;
import static nnc.compiler.backend.java.KernelCases.ld;
import static nnc.compiler.backend.java.KernelCases.loop;
import static nnc.compiler.backend.java.KernelCases.mul;
import static nnc.compiler.backend.java.KernelCases.store;
import static nnc.compiler.backend.java.KernelCases.v;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.Program;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;

/**
 * The program whose source is the golden file: a layer {@code h = relu(x @ W1 + b1)} with x of
 * shape [B, 4] and W1 [4, 20], a row softmax, and the gradient of the layer's input, written the
 * way the lowering writes kernels. Run-time table: rt[0] = B, rt[1..3] = offsets of x, h, dh, dx.
 */
final class GoldenProgram {
  private GoldenProgram() {}

  static Program tinyMlp() {
    int in = 4, out = 20, w1 = 0, b1 = in * out;
    Ix x = new Ix.Rt(1), h = new Ix.Rt(2), dh = new Ix.Rt(3), dx = new Ix.Rt(4);
    Ix hij = add(h, add(mul(v("i"), c(out)), v("j")));
    Ix wkj = add(c(w1), add(mul(v("k"), c(out)), v("j")));
    Kernel dense = new Kernel("dense1", "%3 = matmul %x %W1  tiny.nn:7:8\n%4 = add %3 %b1  tiny.nn:7:15", "matmul",
        List.of(
            new St.Comment("one row of the batch at a time"),
            loop("i", c(0), new Ix.Rt(0),
                eloop("j", c(0), c(out), store(Space.M, hij, ld(Space.P, add(c(b1), v("j"))))),
                loop("k", c(0), c(in),
                    eloop("j", c(0), c(out), accumulate(Space.M, hij, new Fx.Binary(BinaryOp.MUL,
                        ld(Space.M, add(x, add(mul(v("i"), c(in)), v("k")))), ld(Space.P, wkj))))))));
    Kernel relu = new Kernel("relu1", "%5 = relu %4  tiny.nn:7:3", "elementwise",
        List.of(eloop("e", c(0), mul(new Ix.Rt(0), c(out)),
            store(Space.M, add(h, v("e")), new Fx.Unary(UnaryOp.RELU, ld(Space.M, add(h, v("e"))))))));
    Ix hrj = add(h, add(mul(v("i"), c(out)), v("j")));
    Fx shifted = new Fx.Unary(UnaryOp.EXP, new Fx.Binary(BinaryOp.SUB, ld(Space.M, hrj), new Fx.Local("max")));
    Kernel softmax = new Kernel("softmax2", "%6 = softmax %5  tiny.nn:8:16", "reduce",
        List.of(loop("i", c(0), new Ix.Rt(0),
            new St.DeclareFloat("max", Fx.c(Float.NEGATIVE_INFINITY)),
            new St.ReduceLoop("j", c(0), c(out), "max", ReduceOp.MAX, ld(Space.M, hrj)),
            new St.DeclareFloat("sum", Fx.c(0)),
            new St.ReduceLoop("j", c(0), c(out), "sum", ReduceOp.SUM, shifted),
            new St.Comment("divide by the sum: the row now sums to 1"),
            eloop("j", c(0), c(out), store(Space.M, hrj, new Fx.Binary(BinaryOp.DIV, shifted, new Fx.Local("sum")))))));
    Kernel backward = new Kernel("dx3", "%9 = matmul %dh (transpose %W1)  tiny.nn:7:8\n"
        + "gradient of %3 = matmul %x %W1 with respect to %x: dx = dh @ W1^T", "matmul",
        List.of(loop("i", c(0), new Ix.Rt(0), loop("k", c(0), c(in),
            new St.DeclareFloat("s", Fx.c(0)),
            new St.ReduceLoop("j", c(0), c(out), "s", ReduceOp.SUM, new Fx.Binary(BinaryOp.MUL,
                ld(Space.M, add(dh, add(mul(v("i"), c(out)), v("j")))), ld(Space.P, wkj))),
            store(Space.M, add(dx, add(mul(v("i"), c(in)), v("k"))), new Fx.Local("s"))))));
    Map<String, List<String>> entries = new LinkedHashMap<>();
    entries.put("infer", List.of("dense1", "relu1", "softmax2"));
    entries.put("backward", List.of("dx3"));
    return new Program("nnc.gen.TinyMlp", List.of(dense, relu, softmax, backward), entries);
  }
}
