package nnc.compiler.backend.java;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Hand-built kernel programs that together use every Ix, Fx and St form and every op, in scalar
 * loops and in vectorizable loops, with seeded data. All cases at one size form one program (one
 * javac run per size); each case has its own entries and its own arenas.
 */
final class KernelCases {
  private KernelCases() {}

  /**
   * @param vectorTrip the largest trip count of a vectorizable loop in the case: below the vector
   *     length no vector iteration runs, and the results must equal the interpreter's bit for bit
   */
  record Case(String name, List<String> entries, int vectorTrip, float[] p, float[] m, int[] rt) {}

  record Suite(Program program, List<Case> cases) {}

  static Suite suite(int n) {
    List<Kernel> kernels = new ArrayList<>();
    Map<String, List<String>> entries = new LinkedHashMap<>();
    List<Case> cases = new ArrayList<>();
    for (Builder b : List.of(unary(n), binary(n), select(n), matmul(n), reduce(n), index(n), names(n))) {
      kernels.addAll(b.kernels);
      b.entries().forEach((e, ks) -> entries.put(b.name + "_" + e, ks));
      cases.add(b.build());
    }
    return new Suite(new Program("nnc.gen.Cases" + n, kernels, entries), cases);
  }

  /** Every unary op over x, one kernel each; x includes 0, -0, and values where exp overflows. */
  static Builder unary(int n) {
    Builder b = new Builder("unary", n);
    int x = b.mRegion(n);
    b.special = true;
    for (UnaryOp op : UnaryOp.values()) {
      int out = b.mRegion(n);
      b.kernel(op.printName(), "elementwise " + op.printName(),
          eloop("j", c(0), c(n), store(Space.M, add(c(out), v("j")), new Fx.Unary(op, ld(Space.M, add(c(x), v("j")))))));
    }
    b.vectorTrip = n;
    return b;
  }

  /** Every binary op with vector, constant, local and broadcast operands on either side. */
  static Builder binary(int n) {
    Builder b = new Builder("binary", n);
    int x = b.mRegion(n), w = b.pRegion(n + 2);
    b.ties = new int[] {x, w};
    b.rt = new int[] {n};
    for (BinaryOp op : BinaryOp.values()) {
      int o1 = b.mRegion(n), o2 = b.mRegion(n), o3 = b.mRegion(n), o4 = b.mRegion(n);
      Fx xj = ld(Space.M, add(c(x), v("j")));
      b.kernel(op.printName(), "elementwise " + op.printName(),
          new St.DeclareFloat("t", new Fx.Binary(BinaryOp.ADD, ld(Space.P, c(w + n)), Fx.c(0.25f))),
          eloop("j", c(0), new Ix.Rt(0),
              store(Space.M, add(c(o1), v("j")), new Fx.Binary(op, xj, ld(Space.P, add(c(w), v("j"))))),
              store(Space.M, add(c(o2), v("j")), new Fx.Binary(op, Fx.c(-1.5f), xj)),
              store(Space.M, add(c(o3), v("j")), new Fx.Binary(op, xj, new Fx.Local("t"))),
              store(Space.M, add(c(o4), v("j")), new Fx.Binary(op, ld(Space.P, c(w + n + 1)), xj))));
    }
    b.vectorTrip = n;
    return b;
  }

  /** Select with lane-wise and shared conditions, FromInt, Trunc, and two non-vectorizable loops. */
  static Builder select(int n) {
    Builder b = new Builder("select", n);
    int x = b.mRegion(n + 2), w = b.pRegion(n + 2);
    int o1 = b.mRegion(n + 2), o2 = b.mRegion(n + 2), o3 = b.mRegion(n + 2), o4 = b.mRegion(n + 2);
    int o5 = b.mRegion(n + 2), o6 = b.mRegion(n + 2);
    b.rt = new int[] {n};
    Fx xj = ld(Space.M, add(c(x), v("j")));
    Ix lo = c(2), hi = add(new Ix.Rt(0), c(2));
    b.kernel("vector", "selects",
        new St.DeclareFloat("flag", ld(Space.P, c(w))),
        eloop("j", lo, hi,
            store(Space.M, add(c(o1), v("j")), new Fx.Select(new Fx.Binary(BinaryOp.GT, xj, Fx.c(0)),
                new Fx.Binary(BinaryOp.MUL, xj, Fx.c(2)), ld(Space.P, add(c(w), v("j"))))),
            store(Space.M, add(c(o2), v("j")), new Fx.Binary(BinaryOp.ADD, xj, new Fx.FromInt(new Ix.Rt(0)))),
            store(Space.M, add(c(o3), v("j")), new Fx.Select(new Fx.Local("flag"), xj, Fx.c(1))),
            store(Space.M, add(c(o4), v("j")), new Fx.Select(xj, Fx.c(3), new Fx.Local("flag")))));
    b.kernel("scalar", "loops without a lane-wise form",
        eloop("j", lo, hi, store(Space.M, add(c(o5), v("j")), new Fx.Binary(BinaryOp.ADD,
            new Fx.Binary(BinaryOp.MUL, new Fx.FromInt(v("j")), Fx.c(0.5f)),
            new Fx.Trunc(new Fx.Binary(BinaryOp.MUL, xj, Fx.c(3)))))),
        eloop("j", lo, hi, store(Space.M, add(c(o6), v("j")), new Fx.Binary(BinaryOp.ADD,
            new Fx.Unary(UnaryOp.SIGN, xj), new Fx.Unary(UnaryOp.ERF, xj)))));
    b.vectorTrip = n;
    return b;
  }

  /** A dense layer, relu, its two gradients (a vector dot product and rank-1 updates) and SGD. */
  static Builder matmul(int n) {
    Builder b = new Builder("matmul", n);
    int batch = 3, k = 7;
    int w = b.pRegion(k * n), bias = b.pRegion(n);
    int x = b.mRegion(batch * k), y = b.mRegion(batch * n), dy = b.mRegion(batch * n);
    int dx = b.mRegion(batch * k), dw = b.mRegion(k * n);
    b.rt = new int[] {batch, x, y, dy, dx, dw};
    Ix row = mul(v("i"), c(n)), xik = add(new Ix.Rt(1), add(mul(v("i"), c(k)), v("k")));
    Ix yij = add(new Ix.Rt(2), add(row, v("j"))), wkj = add(c(w), add(mul(v("k"), c(n)), v("j")));
    b.kernel("dense", "%3 = matmul %1 %2; %4 = add %3 %b  (t.nn:3:5)",
        new St.Comment("y = x @ W + b, one row of x at a time"),
        loop("i", c(0), new Ix.Rt(0),
            eloop("j", c(0), c(n), store(Space.M, yij, ld(Space.P, add(c(bias), v("j"))))),
            loop("k", c(0), c(k),
                eloop("j", c(0), c(n), accumulate(Space.M, yij,
                    new Fx.Binary(BinaryOp.MUL, ld(Space.M, xik), ld(Space.P, wkj)))))));
    b.kernel("relu", "%5 = relu %4",
        eloop("e", c(0), mul(new Ix.Rt(0), c(n)), store(Space.M, add(new Ix.Rt(2), v("e")),
            new Fx.Unary(UnaryOp.RELU, ld(Space.M, add(new Ix.Rt(2), v("e")))))));
    Ix dyij = add(new Ix.Rt(3), add(row, v("j")));
    b.kernel("dx", "%9 = grad %1: dy @ W^T",
        loop("i", c(0), new Ix.Rt(0), loop("k", c(0), c(k),
            new St.DeclareFloat("s", Fx.c(0)),
            new St.ReduceLoop("j", c(0), c(n), "s", ReduceOp.SUM,
                new Fx.Binary(BinaryOp.MUL, ld(Space.M, dyij), ld(Space.P, wkj))),
            store(Space.M, add(new Ix.Rt(4), add(mul(v("i"), c(k)), v("k"))), new Fx.Local("s")))));
    Ix dwkj = add(new Ix.Rt(5), add(mul(v("k"), c(n)), v("j")));
    b.kernel("dw", "%10 = grad %2: x^T @ dy",
        eloop("e", c(0), c(k * n), store(Space.M, add(new Ix.Rt(5), v("e")), Fx.c(0))),
        loop("i", c(0), new Ix.Rt(0), loop("k", c(0), c(k),
            eloop("j", c(0), c(n), accumulate(Space.M, dwkj,
                new Fx.Binary(BinaryOp.MUL, ld(Space.M, xik), ld(Space.M, dyij)))))));
    b.kernel("sgd", "W -= lr * dW",
        new St.DeclareFloat("lr", Fx.c(0.1f)),
        eloop("e", c(0), c(k * n), store(Space.P, add(c(w), v("e")), new Fx.Binary(BinaryOp.SUB,
            ld(Space.P, add(c(w), v("e"))),
            new Fx.Binary(BinaryOp.MUL, new Fx.Local("lr"), ld(Space.M, add(new Ix.Rt(5), v("e"))))))));
    b.entries.put("infer", List.of("matmul_dense", "matmul_relu"));
    b.entries.put("train", List.of("matmul_dense", "matmul_relu", "matmul_dx", "matmul_dw", "matmul_sgd"));
    b.vectorTrip = Math.max(batch, k) * n;
    return b;
  }

  /** Softmax rows (max, sum of exp, divide), min, and reductions that do not vectorize. */
  static Builder reduce(int n) {
    Builder b = new Builder("reduce", n);
    int rows = 2;
    int x = b.mRegion(rows * n), out = b.mRegion(rows * n), stats = b.mRegion(rows * 6);
    b.rt = new int[] {n};
    Ix xrj = add(c(x), add(mul(v("r"), new Ix.Rt(0)), v("j")));
    Fx shifted = new Fx.Unary(UnaryOp.EXP, new Fx.Binary(BinaryOp.SUB, ld(Space.M, xrj), new Fx.Local("mx")));
    Ix stat = add(c(stats), mul(v("r"), c(6)));
    b.kernel("softmax", "%2 = softmax %1",
        loop("r", c(0), c(rows),
            new St.DeclareFloat("mx", Fx.c(Float.NEGATIVE_INFINITY)),
            new St.ReduceLoop("j", c(0), new Ix.Rt(0), "mx", ReduceOp.MAX, ld(Space.M, xrj)),
            new St.DeclareFloat("sum", Fx.c(0)),
            new St.ReduceLoop("j", c(0), new Ix.Rt(0), "sum", ReduceOp.SUM, shifted),
            eloop("j", c(0), new Ix.Rt(0), store(Space.M, add(c(out), add(mul(v("r"), new Ix.Rt(0)), v("j"))),
                new Fx.Binary(BinaryOp.DIV, shifted, new Fx.Local("sum"))))));
    Fx xsq = new Fx.Binary(BinaryOp.SUB, new Fx.Binary(BinaryOp.MUL, ld(Space.M, xrj), ld(Space.M, xrj)), Fx.c(1));
    b.kernel("stats", "min, strided sum, truncated max, constant sum, max of a square",
        loop("r", c(0), c(rows),
            reduceTo("mn", ReduceOp.MIN, ld(Space.M, xrj), stat),
            reduceTo("strided", ReduceOp.SUM,
                ld(Space.M, add(c(x), add(mul(v("r"), new Ix.Rt(0)), new Ix.Rem(mul(v("j"), c(5)), new Ix.Rt(0))))),
                add(stat, c(1))),
            reduceTo("tmax", ReduceOp.MAX, new Fx.Trunc(new Fx.Binary(BinaryOp.MUL, ld(Space.M, xrj), Fx.c(4))),
                add(stat, c(2))),
            reduceTo("csum", ReduceOp.SUM, ld(Space.P, c(0)), add(stat, c(3))),
            reduceTo("sqmax", ReduceOp.MAX, xsq, add(stat, c(4))),
            reduceTo("sqmin", ReduceOp.MIN, xsq, add(stat, c(5)))));
    int nan = b.mRegion(n), nanStats = b.mRegion(2);
    b.nan = nan + Math.min(1, n - 1);
    Fx withNan = ld(Space.M, add(c(nan), v("j")));
    b.kernel("nan", "max and min propagate NaN",
        reduceTo("nmax", ReduceOp.MAX, withNan, c(nanStats)),
        reduceTo("nmin", ReduceOp.MIN, withNan, c(nanStats + 1)));
    b.pRegion(1);
    b.vectorTrip = n;
    return b;
  }

  private static St[] reduceTo(String acc, ReduceOp op, Fx value, Ix target) {
    return new St[] {
      new St.DeclareFloat(acc, Fx.c((float) op.identity())),
      new St.ReduceLoop("j", c(0), new Ix.Rt(0), acc, op, value),
      store(Space.M, target, new Fx.Local(acc))
    };
  }

  /** Gathers, Div, Rem, FromFloat bounds, DeclareInt, SetFloat, strided stores: all scalar. */
  static Builder index(int n) {
    Builder b = new Builder("index", n);
    int batch = 4;
    int x = b.mRegion(batch * n), labels = b.mRegion(batch), count = b.mRegion(1);
    int o1 = b.mRegion(batch), o2 = b.mRegion(batch * n), o3 = b.mRegion(n), o4 = b.mRegion(2 * n), o5 = b.mRegion(4);
    b.rt = new int[] {batch};
    b.labels = new int[] {labels, batch, n};
    b.count = new int[] {count, batch * n - 1};
    b.kernel("gather", "%4 = gather %1 %2",
        loop("i", c(0), new Ix.Rt(0),
            new St.DeclareInt("label", new Ix.FromFloat(ld(Space.M, add(c(labels), v("i"))))),
            store(Space.M, add(c(o1), v("i")), ld(Space.M, add(c(x), add(mul(v("i"), c(n)), v("label")))))));
    b.kernel("shuffle", "data-dependent bound, transposed and strided copies",
        loop("i", c(0), new Ix.FromFloat(ld(Space.M, c(count))),
            store(Space.M, add(c(o2), v("i")), new Fx.Binary(BinaryOp.MUL, ld(Space.M, add(c(x), v("i"))), Fx.c(2)))),
        eloop("j", c(0), c(n), store(Space.M, add(c(o3), v("j")),
            ld(Space.M, add(c(x), add(mul(new Ix.Rem(v("j"), c(2)), c(n)), new Ix.Div(v("j"), c(2))))))),
        eloop("j", c(0), c(n), store(Space.M, add(c(o4), mul(c(2), v("j"))), ld(Space.M, add(c(x), v("j"))))));
    b.kernel("running", "a running mean kept in a float local",
        new St.DeclareFloat("a", Fx.c(0)),
        loop("i", c(0), mul(new Ix.Rt(0), c(n)),
            new St.Comment("a = a / 2 + x[i]"),
            new St.SetFloat("a", new Fx.Binary(BinaryOp.ADD,
                new Fx.Binary(BinaryOp.DIV, new Fx.Local("a"), Fx.c(2)), ld(Space.M, add(c(x), v("i")))))),
        store(Space.M, c(o5), new Fx.Local("a")),
        new St.DeclareInt("q", new Ix.Div(new Ix.Mul(new Ix.Rt(0), new Ix.Rt(0)), new Ix.Add(c(3), new Ix.Rt(0)))),
        store(Space.M, c(o5 + 1), new Fx.FromInt(new Ix.Rem(v("q"), c(3)))),
        store(Space.M, c(o5 + 2), new Fx.FromInt(c(-7))),
        store(Space.M, c(o5 + 3), new Fx.Binary(BinaryOp.ADD, ld(Space.M, c(x)), Fx.c(-2.5f))));
    b.vectorTrip = 0;
    return b;
  }

  /** IR names that Java cannot take as they are: keywords, the parameters, an int and a float alike. */
  static Builder names(int n) {
    Builder b = new Builder("names", n);
    int x = b.mRegion(n), o1 = b.mRegion(n), o2 = b.mRegion(n), o3 = b.mRegion(3);
    b.rt = new int[] {n};
    Fx xj = ld(Space.M, add(c(x), v("j")));
    b.kernel("clash", "names */ that \\u clash",
        new St.DeclareFloat("S", Fx.c(0.5f)),
        new St.DeclareFloat("t0", Fx.c(2)),
        new St.DeclareFloat("acc", Fx.c(1)),
        new St.DeclareFloat("acc", Fx.c(3)),
        new St.DeclareInt("i", c(1)),
        new St.DeclareFloat("i", Fx.c(4)),
        eloop("j", c(0), new Ix.Rt(0), store(Space.M, add(c(o1), v("j")), new Fx.Binary(BinaryOp.MUL,
            new Fx.Binary(BinaryOp.ADD, xj, new Fx.Local("S")), new Fx.Binary(BinaryOp.ADD, xj, new Fx.Local("t0"))))),
        eloop("j", c(0), new Ix.Rt(0), store(Space.M, add(c(o2), v("j")),
            new Fx.Unary(UnaryOp.SOFTPLUS, new Fx.Binary(BinaryOp.SUB, xj, new Fx.Local("i"))))),
        loop("new", c(0), c(3), new St.DeclareFloat("m", new Fx.FromInt(v("new"))),
            store(Space.M, add(c(o3), v("new")), new Fx.Binary(BinaryOp.ADD, new Fx.Local("m"),
                new Fx.Binary(BinaryOp.ADD, new Fx.Local("acc"), new Fx.FromInt(v("i")))))));
    b.vectorTrip = n;
    return b;
  }

  // ---- building blocks

  static Ix c(int v) {
    return Ix.c(v);
  }

  static Ix v(String name) {
    return Ix.v(name);
  }

  static Ix add(Ix a, Ix b) {
    return Ix.add(a, b);
  }

  static Ix mul(Ix a, Ix b) {
    return Ix.mul(a, b);
  }

  static Fx ld(Space s, Ix i) {
    return new Fx.Load(s, i);
  }

  static St.Store store(Space s, Ix i, Fx value) {
    return new St.Store(s, i, value, false);
  }

  static St.Store accumulate(Space s, Ix i, Fx value) {
    return new St.Store(s, i, value, true);
  }

  static St loop(String var, Ix lo, Ix hi, Object... body) {
    return new St.Loop(var, lo, hi, flatten(body));
  }

  static St eloop(String var, Ix lo, Ix hi, St.Store... body) {
    return new St.ElementLoop(var, lo, hi, List.of(body));
  }

  private static List<St> flatten(Object... parts) {
    List<St> out = new ArrayList<>();
    for (Object o : parts) {
      if (o instanceof St s) out.add(s);
      else for (St s : (St[]) o) out.add(s);
    }
    return out;
  }

  /** One case: kernels, entries, arena sizes and the rules for its data. */
  static final class Builder {
    final String name;
    final int n;
    final List<Kernel> kernels = new ArrayList<>();
    final Map<String, List<String>> entries = new LinkedHashMap<>();
    int pSize;
    int mSize;
    int[] rt = {};
    int vectorTrip;
    boolean special;
    int[] ties;
    int[] labels;
    int[] count;
    int nan = -1;

    Builder(String name, int n) {
      this.name = name;
      this.n = n;
    }

    int mRegion(int size) {
      int at = mSize;
      mSize += size;
      return at;
    }

    int pRegion(int size) {
      int at = pSize;
      pSize += size;
      return at;
    }

    void kernel(String kernel, String describe, Object... body) {
      String full = name + "_" + kernel;
      kernels.add(new Kernel(full, describe, "test", flatten(body)));
    }

    /** The entries; by default one, "run", that runs every kernel in order. */
    Map<String, List<String>> entries() {
      if (entries.isEmpty()) entries.put("run", kernels.stream().map(Kernel::name).toList());
      return entries;
    }

    /** Seeded data: values in [-1, 1] (scaled up for the unary ops), with zeros and negative zeros. */
    float[] data(int size, int stream) {
      Random r = new Random(31L * n + stream + name.hashCode());
      float[] a = new float[size];
      for (int i = 0; i < a.length; i++) {
        float v = (float) (r.nextDouble() * 2 - 1) * (special ? 3 : 1);
        if (i % 11 == 5) v = 0;
        if (i % 13 == 6) v = -0f;
        if (special && i % 17 == 9) v = i % 2 == 0 ? 90 : -90;
        a[i] = v;
      }
      return a;
    }

    Case build() {
      float[] pa = data(pSize, 1), ma = data(mSize, 2);
      if (ties != null) {
        for (int j = 0; j < n; j += 3) pa[ties[1] + j] = ma[ties[0] + j];
      }
      if (labels != null) {
        Random r = new Random(n);
        for (int i = 0; i < labels[1]; i++) ma[labels[0] + i] = r.nextInt(labels[2]);
      }
      if (count != null) ma[count[0]] = count[1];
      if (nan >= 0) ma[nan] = Float.NaN;
      List<String> names = entries().keySet().stream().map(e -> name + "_" + e).toList();
      return new Case(name, names, vectorTrip, pa, ma, rt);
    }
  }
}
