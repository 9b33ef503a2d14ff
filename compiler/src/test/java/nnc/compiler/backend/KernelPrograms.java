package nnc.compiler.backend;

import static nnc.compiler.kernel.Space.M;
import static nnc.compiler.kernel.Space.P;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Kernel;
import nnc.compiler.kernel.KernelInterpreter;
import nnc.compiler.kernel.Program;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;
import nnc.compiler.kernel.Vectorizer;
import nnc.runtime.ModelCode;

/**
 * Hand-built kernel programs for testing the emitters against {@link KernelInterpreter}. Together
 * they use every form of {@link Ix}, {@link Fx} and {@link St}, and every {@link UnaryOp}, {@link
 * BinaryOp} and {@link ReduceOp} in scalar loops and in loops that {@link Vectorizer} accepts, with
 * lengths 1, 15, 16, 17, 37 and 100 (so vector tails happen at any vector width up to 16), buffer
 * offsets and sizes taken from {@code rt}, and NaN, infinities and signed zeros among the inputs.
 *
 * <p>Usage: for each {@link Case} of {@link #all()}, {@code c.interpret(entry)} gives the expected
 * arenas, {@code c.run(code, entry)} runs a generated {@link ModelCode} from the same inputs, and
 * {@link #mismatch} compares them: exactly when {@link Case#vectorized()} is false, else within
 * {@link #RELATIVE} (plus {@link #ABSOLUTE}) for lane-order sums and vector math functions.
 */
public final class KernelPrograms {
  /** Relative tolerance for programs with vector loops. */
  public static final float RELATIVE = 1e-5f;

  /** Absolute floor of the tolerance, for results near zero (e.g. after cancellation). */
  public static final float ABSOLUTE = 1e-5f;

  private KernelPrograms() {}

  /** Both arenas after running one or more entries. */
  public record State(float[] p, float[] m) {}

  /**
   * A program and its inputs: {@code fillP}/{@code fillM} write deterministic (seeded) data into
   * fresh arenas of {@code pSize}/{@code mSize} floats, and {@code rt} is the run-time table.
   */
  public record Case(
      String name,
      Program program,
      int pSize,
      int mSize,
      int[] rt,
      Consumer<float[]> fillP,
      Consumer<float[]> fillM) {
    public Case {
      rt = rt.clone();
    }

    @Override
    public int[] rt() {
      return rt.clone();
    }

    public float[] newP() {
      float[] p = new float[pSize];
      fillP.accept(p);
      return p;
    }

    public float[] newM() {
      float[] m = new float[mSize];
      fillM.accept(m);
      return m;
    }

    /** Entry names in entry-number order. */
    public List<String> entries() {
      return List.copyOf(program.entries().keySet());
    }

    public int entryNumber(String entry) {
      int i = entries().indexOf(entry);
      if (i < 0) throw new IllegalArgumentException(name + " has no entry " + entry);
      return i;
    }

    /** Whether some loop of the program vectorizes, so that results may differ by rounding. */
    public boolean vectorized() {
      return program.kernels().stream().anyMatch(k -> anyVectorized(k.body()));
    }

    /** Fresh inputs, then {@code entries} in order, in the reference interpreter. */
    public State interpret(String... entries) {
      State s = new State(newP(), newM());
      for (String e : entries) KernelInterpreter.call(program, e, s.p(), s.m(), rt());
      return s;
    }

    /** Fresh inputs, then {@code entries} in order, in generated code. */
    public State run(ModelCode code, String... entries) {
      State s = new State(newP(), newM());
      for (String e : entries) code.call(entryNumber(e), s.p(), s.m(), rt());
      return s;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A description of the first element where {@code actual} differs from {@code expected} (NaNs
   * of any payload are equal; exact comparison distinguishes -0 from 0), or null when they agree.
   */
  public static String mismatch(Case c, State expected, State actual) {
    String p = mismatch("p", expected.p(), actual.p(), !c.vectorized());
    return p != null ? p : mismatch("m", expected.m(), actual.m(), !c.vectorized());
  }

  static String mismatch(String arena, float[] expected, float[] actual, boolean exact) {
    for (int i = 0; i < expected.length; i++) {
      float e = expected[i], a = actual[i];
      boolean same =
          exact
              ? Float.floatToIntBits(e) == Float.floatToIntBits(a)
              : e == a
                  || (Float.isNaN(e) && Float.isNaN(a))
                  || Math.abs(e - a) <= RELATIVE * Math.max(Math.abs(e), Math.abs(a)) + ABSOLUTE;
      if (!same) return arena + "[" + i + "]: expected " + e + " but was " + a;
    }
    return null;
  }

  private static boolean anyVectorized(List<? extends St> body) {
    for (St s : body) {
      boolean v =
          switch (s) {
            case St.Loop l -> anyVectorized(l.body());
            case St.ElementLoop l -> Vectorizer.canVectorize(l);
            case St.ReduceLoop r -> Vectorizer.canVectorize(r);
            default -> false;
          };
      if (v) return true;
    }
    return false;
  }

  /** Every case, in a fixed order. */
  public static List<Case> all() {
    List<Case> cases = new ArrayList<>();
    for (UnaryOp op : UnaryOp.values()) {
      cases.add(unary(op, true));
      cases.add(unary(op, false));
    }
    for (BinaryOp op : BinaryOp.values()) {
      cases.add(binary(op, true));
      cases.add(binary(op, false));
    }
    for (ReduceOp op : ReduceOp.values()) {
      cases.add(reduce(op, true));
      cases.add(reduce(op, false));
    }
    for (int n : new int[] {1, 16, 37, 100}) cases.add(gemm(n));
    for (int n : new int[] {10, 17, 100}) cases.add(softmax(n));
    cases.add(select(true));
    cases.add(select(false));
    cases.addAll(List.of(gather(), intMath(), locals(), twoEntries(), empty(), stores()));
    cases.addAll(List.of(strided(), compound()));
    return cases;
  }

  public static Case byName(String name) {
    return all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  // ---- the cases

  private static final int[] LENGTHS = {1, 15, 16, 17, 100};

  /** y = op(x) for each length; vector: ElementLoops (one from rt[lo] to rt[hi]); scalar: Loop. */
  private static Case unary(UnaryOp op, boolean vector) {
    Builder b = new Builder("unary." + op.printName() + (vector ? ".vector" : ".scalar"));
    Region x = b.m(100, SPECIALS);
    if (vector) {
      for (int n : LENGTHS) {
        Region y = b.m(n, UNIFORM);
        b.kernel("n" + n, each("j", c(0), c(n), set(y, v("j"), un(op, x.at(v("j"))))));
      }
      Region y = b.m(40, UNIFORM);
      b.kernel("rt", each("j", b.rt(3), b.rt(40), set(y, v("j"), un(op, x.at(v("j"))))));
    } else {
      Region y = b.m(100, UNIFORM);
      b.kernel("loop", loop("i", c(0), c(100), set(y, v("i"), un(op, x.at(v("i"))))));
    }
    return b.build();
  }

  /** z = op(x, y) with ties between x and y; also against a broadcast load, a local, a constant. */
  private static Case binary(BinaryOp op, boolean vector) {
    Builder b = new Builder("binary." + op.printName() + (vector ? ".vector" : ".scalar"));
    Region x = b.m(100, SPECIALS), y = b.m(100, tiesWith(x.offset(), op == BinaryOp.POW));
    Region k = b.p(4, UNIFORM);
    if (vector) {
      for (int n : new int[] {1, 16, 17, 100}) {
        Region z = b.m(n, UNIFORM);
        b.kernel("n" + n, each("j", c(0), c(n), set(z, v("j"), bin(op, x.at(v("j")), y.at(v("j"))))));
      }
      Region z1 = b.m(37, UNIFORM), z2 = b.m(37, UNIFORM), z3 = b.m(37, UNIFORM);
      b.kernel("broadcast", each("j", c(0), c(37), set(z1, v("j"), bin(op, x.at(v("j")), k.at(c(2))))));
      b.kernel(
          "uniform",
          declF("t", k.at(c(1))),
          each(
              "j",
              c(0),
              c(37),
              set(z2, v("j"), bin(op, loc("t"), y.at(v("j")))),
              set(z3, v("j"), bin(op, x.at(v("j")), f(0.5f)))));
    } else {
      Region z = b.m(100, UNIFORM), z1 = b.m(37, UNIFORM);
      b.kernel("loop", loop("i", c(0), c(100), set(z, v("i"), bin(op, x.at(v("i")), y.at(v("i"))))));
      b.kernel("broadcast", loop("i", c(0), c(37), set(z1, v("i"), bin(op, x.at(v("i")), k.at(c(2))))));
    }
    return b.build();
  }

  /**
   * acc = op(acc, ...) from a start value in p, over 0 to 100 elements; a shifted exp (softmax
   * style), a dot product (fma), and infinities. The scalar form reduces with stride 2 and over
   * Trunc, which do not vectorize, and sees NaN (which max/min treat as {@link ReduceOp#combine}
   * says, so vector max/min inputs hold no NaN).
   */
  private static Case reduce(ReduceOp op, boolean vector) {
    Builder b = new Builder("reduce." + op.printName() + (vector ? ".vector" : ".scalar"));
    Region start = b.p(2, UNIFORM), out = b.m(12, UNIFORM);
    if (vector) {
      Region x = b.m(100, POSITIVE), y = b.m(100, POSITIVE);
      Region s = b.m(37, op == ReduceOp.SUM ? SPECIALS : INFINITIES);
      int[] lengths = {0, 1, 15, 16, 17, 37, 100};
      for (int i = 0; i < lengths.length; i++) {
        b.kernel(
            "n" + lengths[i],
            declF("acc", start.at(c(0))),
            reduce("j", c(0), c(lengths[i]), "acc", op, x.at(v("j"))),
            set(out, c(i), loc("acc")));
      }
      b.kernel(
          "shifted_exp",
          declF("mu", x.at(c(5))),
          declF("acc", f((float) op.identity())),
          reduce("j", c(3), c(40), "acc", op, un(UnaryOp.EXP, bin(BinaryOp.SUB, x.at(v("j")), loc("mu")))),
          set(out, c(7), loc("acc")));
      b.kernel(
          "product",
          declF("w", start.at(c(1))),
          declF("acc", start.at(c(0))),
          reduce("j", c(0), b.rt(100), "acc", op, bin(BinaryOp.MUL, x.at(v("j")), y.at(v("j")))),
          reduce("j", c(0), c(37), "acc", op, bin(BinaryOp.MUL, y.at(v("j")), loc("w"))),
          set(out, c(8), loc("acc")));
      b.kernel(
          "specials",
          declF("acc", f((float) op.identity())),
          reduce("j", c(0), c(37), "acc", op, s.at(v("j"))),
          set(out, c(9), loc("acc")));
    } else {
      Region x = b.m(100, SPECIALS);
      b.kernel(
          "stride2",
          declF("acc", start.at(c(0))),
          reduce("j", c(0), c(50), "acc", op, x.at(Ix.mul(v("j"), c(2)))),
          set(out, c(0), loc("acc")));
      b.kernel(
          "trunc",
          declF("acc", f((float) op.identity())),
          reduce("j", c(0), c(100), "acc", op, new Fx.Trunc(x.at(v("j")))),
          set(out, c(1), loc("acc")));
    }
    return b.build();
  }

  /** relu(A @ B + bias) for A 3x5 and B 5xN in p, C in m: the matmul inner loop is an fma. */
  private static Case gemm(int n) {
    Builder b = new Builder("gemm.n" + n);
    int k = 5;
    Region a = b.p(3 * k, UNIFORM), w = b.p(k * n, UNIFORM), bias = b.p(n, UNIFORM);
    Region out = b.m(3 * n, UNIFORM);
    Ix rows = b.rt(3);
    Ix ij = Ix.add(Ix.mul(v("i"), c(n)), v("j"));
    b.kernel("zero", each("j", c(0), Ix.mul(rows, c(n)), set(out, v("j"), f(0f))));
    b.kernel(
        "matmul",
        loop(
            "i",
            c(0),
            rows,
            loop(
                "k",
                c(0),
                c(k),
                declF("a", a.at(Ix.add(Ix.mul(v("i"), c(k)), v("k")))),
                each(
                    "j",
                    c(0),
                    c(n),
                    addTo(out, ij, bin(BinaryOp.MUL, loc("a"), w.at(Ix.add(Ix.mul(v("k"), c(n)), v("j")))))))));
    b.kernel(
        "bias_relu",
        loop(
            "i",
            c(0),
            rows,
            each(
                "j",
                c(0),
                c(n),
                set(out, ij, un(UnaryOp.RELU, bin(BinaryOp.ADD, out.at(ij), bias.at(v("j"))))))));
    return b.build();
  }

  /** Row softmax of 4 rows of n: max, sum of shifted exps, normalize. */
  private static Case softmax(int n) {
    Builder b = new Builder("softmax.n" + n);
    Region x = b.m(4 * n, (a, off, len, rng) -> {
      WIDE.fill(a, off, len, rng);
      a[off + 1] = Float.NEGATIVE_INFINITY;
    });
    Region y = b.m(4 * n, UNIFORM);
    Fx shifted = un(UnaryOp.EXP, bin(BinaryOp.SUB, new Fx.Load(M, Ix.add(v("base"), v("j"))), loc("max")));
    b.kernel(
        "softmax",
        loop(
            "r",
            c(0),
            b.rt(4),
            new St.Comment("one row"),
            declI("base", Ix.add(x.start(), Ix.mul(v("r"), c(n)))),
            declF("max", f(Float.NEGATIVE_INFINITY)),
            reduce("j", c(0), c(n), "max", ReduceOp.MAX, new Fx.Load(M, Ix.add(v("base"), v("j")))),
            declF("sum", f(0f)),
            reduce("j", c(0), c(n), "sum", ReduceOp.SUM, shifted),
            declF("inv", bin(BinaryOp.DIV, f(1f), loc("sum"))),
            each("j", c(0), c(n), set(y, Ix.add(Ix.mul(v("r"), c(n)), v("j")), bin(BinaryOp.MUL, shifted, loc("inv"))))));
    return b.build();
  }

  /** Select on raw conditions (0, -0, NaN) and on a comparison. */
  private static Case select(boolean vector) {
    Builder b = new Builder("select." + (vector ? "vector" : "scalar"));
    Region cond = b.m(100, CONDITIONS), x = b.m(100, SPECIALS), y = b.m(100, UNIFORM);
    Region z1 = b.m(100, UNIFORM), z2 = b.m(100, UNIFORM);
    List<St.Store> body =
        List.of(
            set(z1, v("j"), new Fx.Select(cond.at(v("j")), x.at(v("j")), y.at(v("j")))),
            set(z2, v("j"), new Fx.Select(bin(BinaryOp.GT, x.at(v("j")), y.at(v("j"))), x.at(v("j")), f(-1f))));
    b.kernel("select", vector ? new St.ElementLoop("j", c(0), c(100), body) : new St.Loop("j", c(0), c(100), List.<St>copyOf(body)));
    return b.build();
  }

  /** Indices read from floats (Ix.FromFloat): an embedding lookup, a gather, a label pick. */
  private static Case gather() {
    Builder b = new Builder("gather");
    int d = 37, vocab = 7;
    Region labels = b.m(5, (a, off, len, rng) -> {
      for (int i = 0; i < len; i++) a[off + i] = rng.nextInt(vocab) + 0.9f; // truncates
    });
    Region table = b.p(vocab * d, UNIFORM), logits = b.m(5 * vocab, UNIFORM);
    Region idx = b.m(40, (a, off, len, rng) -> {
      for (int i = 0; i < len; i++) a[off + i] = rng.nextInt(vocab * d);
    });
    Region rows = b.m(5 * d, UNIFORM), picked = b.m(40, UNIFORM), loss = b.m(5, UNIFORM);
    b.kernel(
        "embed",
        loop(
            "b",
            c(0),
            b.rt(5),
            declI("label", new Ix.FromFloat(labels.at(v("b")))),
            each("j", c(0), c(d), set(rows, Ix.add(Ix.mul(v("b"), c(d)), v("j")), table.at(Ix.add(Ix.mul(v("label"), c(d)), v("j")))))));
    b.kernel("gather", each("j", c(0), c(40), set(picked, v("j"), table.at(new Ix.FromFloat(idx.at(v("j")))))));
    b.kernel(
        "pick",
        loop(
            "b",
            c(0),
            c(5),
            set(loss, v("b"), un(UnaryOp.NEG, logits.at(Ix.add(Ix.mul(v("b"), c(vocab)), new Ix.FromFloat(labels.at(v("b")))))))));
    return b.build();
  }

  /**
   * Integer division and remainder of negatives, products of variables, Trunc and FromFloat, and
   * constants of every encoding (-0, NaN, ints beyond a short).
   */
  private static Case intMath() {
    Builder b = new Builder("intmath");
    Region x = b.m(30, SPECIALS), q = b.m(27, UNIFORM), t1 = b.m(30, UNIFORM), t2 = b.m(30, UNIFORM);
    Region k = b.m(12, UNIFORM);
    Ix shifted = new Ix.Add(v("i"), c(-3));
    b.kernel(
        "divrem",
        loop(
            "i",
            c(-7),
            c(20),
            declI("q", new Ix.Div(shifted, c(4))),
            declI("r", new Ix.Rem(shifted, b.rt(4))),
            set(
                q,
                new Ix.Add(v("i"), c(7)),
                bin(
                    BinaryOp.ADD,
                    bin(BinaryOp.MUL, new Fx.FromInt(v("q")), f(100f)),
                    new Fx.FromInt(new Ix.Add(v("r"), new Ix.Mul(v("q"), v("r"))))))));
    b.kernel(
        "truncate",
        loop(
            "i",
            c(0),
            c(30),
            set(t1, v("i"), new Fx.Trunc(x.at(v("i")))),
            set(t2, v("i"), new Fx.FromInt(new Ix.Add(new Ix.FromFloat(x.at(v("i"))), new Ix.Mul(v("i"), v("i")))))));
    float[] floats = {-0f, Float.NaN, 0f, 1f, 2f, Float.MIN_VALUE, -Float.MAX_VALUE};
    int[] ints = {70000, -300, -129, Integer.MIN_VALUE, 6};
    List<St> constants = new ArrayList<>();
    for (int i = 0; i < floats.length; i++) constants.add(set(k, c(i), f(floats[i])));
    for (int i = 0; i < ints.length; i++) constants.add(set(k, c(floats.length + i), new Fx.FromInt(c(ints[i]))));
    b.kernel("constants", constants.toArray(St[]::new));
    return b.build();
  }

  /**
   * Scoping as the interpreter defines it: ints and floats in separate name spaces, names reused
   * by sibling loops, a declaration of a visible name assigning it, SetFloat, Comment.
   */
  private static Case locals() {
    Builder b = new Builder("locals");
    Region x = b.m(10, UNIFORM), out = b.m(30, UNIFORM);
    b.kernel(
        "scopes",
        new St.Comment("a comment emits nothing"),
        declF("total", f(0f)),
        loop(
            "i",
            c(0),
            c(10),
            declF("t", bin(BinaryOp.MUL, x.at(v("i")), f(2f))),
            new St.SetFloat("total", bin(BinaryOp.ADD, loc("total"), loc("t"))),
            declI("k", Ix.mul(v("i"), c(3))),
            set(out, v("i"), bin(BinaryOp.ADD, new Fx.FromInt(v("k")), loc("t")))),
        loop(
            "i",
            c(0),
            c(5),
            declI("t", Ix.add(v("i"), c(1))),
            declF("k", loc("total")),
            set(out, Ix.add(v("i"), c(10)), bin(BinaryOp.MUL, loc("k"), new Fx.FromInt(v("t"))))),
        declF("total", bin(BinaryOp.ADD, loc("total"), f(1f))),
        set(out, c(15), loc("total")),
        declI("x", c(3)),
        declF("x", f(2.5f)),
        set(out, c(16), bin(BinaryOp.ADD, new Fx.FromInt(v("x")), loc("x"))),
        declF("a", f(0f)),
        loop(
            "j",
            c(0),
            c(4),
            loop("i", c(0), c(3), declF("a", bin(BinaryOp.ADD, loc("a"), new Fx.FromInt(v("j"))))),
            set(out, Ix.add(v("j"), c(17)), loc("a"))),
        set(out, c(21), loc("a")));
    b.kernel("again", declF("total", f(-1f)), set(out, c(22), loc("total")));
    return b.build();
  }

  /** A linear model with entries infer (forward) and train (forward, backward, SGD update of p). */
  private static Case twoEntries() {
    Builder b = new Builder("entries");
    int n = 37;
    Region x = b.m(n, UNIFORM), t = b.m(n, UNIFORM), y = b.m(n, UNIFORM), g = b.m(n, UNIFORM);
    Region w = b.p(n, UNIFORM), bias = b.p(1, UNIFORM);
    Fx err = bin(BinaryOp.SUB, y.at(v("j")), t.at(v("j")));
    b.kernel(
        "forward",
        each("j", c(0), c(n), set(y, v("j"), bin(BinaryOp.ADD, bin(BinaryOp.MUL, w.at(v("j")), x.at(v("j"))), bias.at(c(0))))));
    b.kernel("backward", each("j", c(0), c(n), set(g, v("j"), bin(BinaryOp.MUL, bin(BinaryOp.MUL, f(2f), err), x.at(v("j"))))));
    b.kernel(
        "update",
        each("j", c(0), c(n), addTo(w, v("j"), bin(BinaryOp.MUL, f(-0.01f), g.at(v("j"))))),
        declF("gsum", f(0f)),
        reduce("j", c(0), c(n), "gsum", ReduceOp.SUM, err),
        addTo(bias, c(0), bin(BinaryOp.MUL, f(-0.01f), loc("gsum"))));
    b.entry("infer", "forward");
    b.entry("train", "forward", "backward", "update");
    return b.build();
  }

  /** Empty kernels, an entry with no kernels, and loops that run zero times (hi <= lo). */
  private static Case empty() {
    Builder b = new Builder("empty");
    Region out = b.m(8, UNIFORM);
    b.kernel("nothing");
    b.kernel(
        "zero_trip",
        each("j", c(5), c(5), set(out, v("j"), f(1f))),
        each("j", b.rt(9), b.rt(2), set(out, v("j"), f(2f))),
        loop("i", c(3), c(1), set(out, v("i"), f(3f))),
        declF("a", f(7f)),
        reduce("j", c(4), c(4), "a", ReduceOp.SUM, out.at(v("j"))),
        reduce("j", c(40), c(0), "a", ReduceOp.MAX, out.at(v("j"))),
        set(out, c(0), loc("a")));
    b.entry("run", "nothing", "zero_trip");
    b.entry("none");
    return b.build();
  }

  /**
   * Several stores per vector iteration: a store reading an earlier store's element, accumulation
   * of a sum and of a uniform product, a uniform value, FromInt of rt, a stride-0 load whose index
   * mentions the loop variable, and a loop starting at a non-zero offset.
   */
  private static Case stores() {
    Builder b = new Builder("stores");
    int n = 37;
    Region x = b.m(n, UNIFORM), y = b.m(n, UNIFORM), k = b.p(2, UNIFORM);
    Region o1 = b.m(n, UNIFORM), o2 = b.m(n, UNIFORM), o3 = b.m(n, UNIFORM), o4 = b.m(n, UNIFORM);
    Region o5 = b.m(n, UNIFORM), o6 = b.m(n, UNIFORM), o7 = b.m(n, UNIFORM), o8 = b.m(n + 5, UNIFORM);
    Ix j = v("j");
    Ix zeroStride = Ix.add(j, Ix.mul(j, c(-1)));
    b.kernel(
        "stores",
        each(
            "j",
            c(0),
            b.rt(n),
            set(o1, j, bin(BinaryOp.MUL, x.at(j), f(2f))),
            set(o2, j, bin(BinaryOp.ADD, o1.at(j), y.at(j))),
            addTo(o3, j, bin(BinaryOp.ADD, x.at(j), y.at(j))),
            set(o4, j, f(3.5f)),
            addTo(o5, j, bin(BinaryOp.MUL, k.at(c(0)), f(2f))),
            set(o6, j, bin(BinaryOp.DIV, x.at(j), new Fx.FromInt(b.rt(n)))),
            set(o7, j, bin(BinaryOp.MUL, x.at(zeroStride), y.at(j)))),
        each("j", c(5), c(n + 5), addTo(o8, j, bin(BinaryOp.MUL, x.at(Ix.add(j, c(-5))), y.at(Ix.add(j, c(-5)))))));
    return b.build();
  }

  /** Loops that do not vectorize: strided stores and loads, div/rem indices, a uniform erf. */
  private static Case strided() {
    Builder b = new Builder("strided");
    Region x = b.m(40, UNIFORM), o1 = b.m(40, UNIFORM), o2 = b.m(20, UNIFORM), o3 = b.m(24, UNIFORM);
    Region o4 = b.m(37, UNIFORM);
    Ix j = v("j");
    b.kernel("store_stride2", each("j", c(0), c(20), set(o1, Ix.mul(j, c(2)), x.at(j))));
    b.kernel("reverse", each("j", c(0), c(20), set(o2, j, x.at(Ix.add(c(19), Ix.mul(j, c(-1)))))));
    b.kernel(
        "transpose",
        each("j", c(0), c(24), set(o3, j, x.at(Ix.add(Ix.mul(new Ix.Rem(j, c(4)), c(6)), new Ix.Div(j, c(4)))))));
    b.kernel(
        "uniform_erf",
        declF("t", x.at(c(3))),
        each("j", c(0), c(37), set(o4, j, bin(BinaryOp.MUL, x.at(j), un(UnaryOp.ERF, loc("t"))))));
    return b.build();
  }

  /** A GELU-like expression mixing many ops in one vector loop, and a sign in a scalar loop. */
  private static Case compound() {
    Builder b = new Builder("compound");
    Region x = b.m(100, SPECIALS), o1 = b.m(100, UNIFORM), o2 = b.m(100, UNIFORM);
    Fx xj = x.at(v("j"));
    Fx cube = bin(BinaryOp.POW, xj, f(3f));
    Fx inner = bin(BinaryOp.MUL, f(0.7978846f), bin(BinaryOp.ADD, xj, bin(BinaryOp.MUL, f(0.044715f), cube)));
    Fx gelu = bin(BinaryOp.MUL, bin(BinaryOp.MUL, f(0.5f), xj), bin(BinaryOp.ADD, f(1f), un(UnaryOp.TANH, inner)));
    Fx mix =
        bin(
            BinaryOp.ADD,
            bin(BinaryOp.MUL, un(UnaryOp.SIGMOID, xj), un(UnaryOp.SOFTPLUS, un(UnaryOp.NEG, xj))),
            new Fx.Select(un(UnaryOp.HEAVISIDE, xj), un(UnaryOp.SQRT, un(UnaryOp.ABS, xj)), un(UnaryOp.EXP, xj)));
    b.kernel("vector", each("j", c(0), c(100), set(o1, v("j"), gelu), set(o2, v("j"), mix)));
    b.kernel("scalar", each("j", c(0), c(100), addTo(o2, v("j"), un(UnaryOp.SIGN, xj))));
    return b.build();
  }

  // ---- input data

  /** Writes {@code len} floats at {@code off}, drawing from {@code rng}. */
  @FunctionalInterface
  interface Fill {
    void fill(float[] a, int off, int len, Random rng);
  }

  private static Fill uniform(float lo, float hi) {
    return (a, off, len, rng) -> {
      for (int i = 0; i < len; i++) a[off + i] = lo + (hi - lo) * rng.nextFloat();
    };
  }

  /** Special values at every 7th element from the 4th, uniform in [-4, 4) elsewhere. */
  private static Fill withSpecials(float... specials) {
    return (a, off, len, rng) -> {
      UNIFORM.fill(a, off, len, rng);
      for (int i = 0; i < specials.length && 3 + 7 * i < len; i++) a[off + 3 + 7 * i] = specials[i];
    };
  }

  private static final Fill UNIFORM = uniform(-4f, 4f);
  private static final Fill WIDE = uniform(-20f, 20f);
  private static final Fill POSITIVE = uniform(0f, 1f);
  private static final Fill SPECIALS =
      withSpecials(
          Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1f, -1f, 88.5f,
          -88.5f, 100f, -100f, 1e-30f, -1e-30f, 0.5f, 3e9f, -3e9f, -2.5f, 2.5f);
  private static final Fill INFINITIES =
      withSpecials(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f);
  private static final Fill CONDITIONS =
      (a, off, len, rng) -> {
        float[] values = {0f, -0f, 1f, -1f, Float.NaN, 0.25f};
        for (int i = 0; i < len; i++) a[off + i] = values[rng.nextInt(values.length)];
      };

  /** Uniform, except that every 5th element equals the element of {@code other} (for ties). */
  private static Fill tiesWith(int other, boolean exponents) {
    return (a, off, len, rng) -> {
      for (int i = 0; i < len; i++) {
        if (i % 5 == 0) a[off + i] = a[other + i];
        else if (exponents && i % 2 == 0) a[off + i] = rng.nextInt(7) - 3;
        else a[off + i] = -4f + 8f * rng.nextFloat();
      }
    };
  }

  // ---- building programs

  /** A buffer of the case: its arena offset (an int) and the rt slot that holds it. */
  private record Region(Space space, int offset, int size, Ix start) {
    Fx at(Ix i) {
      return new Fx.Load(space, Ix.add(start, i));
    }
  }

  private static final class Builder {
    private final String name;
    private final List<Kernel> kernels = new ArrayList<>();
    private final Map<String, List<String>> entries = new LinkedHashMap<>();
    private final List<Integer> rt = new ArrayList<>();
    private final List<Region> regions = new ArrayList<>();
    private final List<Fill> fills = new ArrayList<>();
    private int pSize, mSize;

    Builder(String name) {
      this.name = name;
      rt.add(0); // rt[0] unused: offsets live in later slots, so Rt(0) is never an accident
    }

    Region m(int size, Fill fill) {
      return region(M, size, fill);
    }

    Region p(int size, Fill fill) {
      return region(P, size, fill);
    }

    private Region region(Space space, int size, Fill fill) {
      int offset = space == M ? mSize : pSize;
      if (space == M) mSize += size + 3; // gaps catch stray writes
      else pSize += size + 3;
      Region r = new Region(space, offset, size, rt(offset));
      regions.add(r);
      fills.add(fill);
      return r;
    }

    /** A new rt slot holding {@code value}. */
    Ix rt(int value) {
      rt.add(value);
      return new Ix.Rt(rt.size() - 1);
    }

    void kernel(String kernel, St... body) {
      kernels.add(new Kernel(kernel, name + " " + kernel, "test", List.of(body)));
    }

    void entry(String entry, String... kernelNames) {
      entries.put(entry, List.of(kernelNames));
    }

    Case build() {
      if (entries.isEmpty()) entries.put("run", kernels.stream().map(Kernel::name).toList());
      String className = "nnc.gen.Case_" + name.replace('.', '_');
      Program program = new Program(className, kernels, entries);
      long seed = name.hashCode();
      List<Region> rs = List.copyOf(regions);
      List<Fill> fs = List.copyOf(fills);
      return new Case(
          name,
          program,
          pSize,
          mSize,
          rt.stream().mapToInt(Integer::intValue).toArray(),
          arena -> fill(arena, P, seed, rs, fs),
          arena -> fill(arena, M, seed + 1, rs, fs));
    }

    /** Gaps between regions hold 1234.5, a value no kernel writes. */
    private static void fill(float[] arena, Space space, long seed, List<Region> rs, List<Fill> fs) {
      Arrays.fill(arena, 1234.5f);
      Random rng = new Random(seed);
      for (int i = 0; i < rs.size(); i++) {
        Region r = rs.get(i);
        if (r.space() == space) fs.get(i).fill(arena, r.offset(), r.size(), rng);
      }
    }
  }

  // ---- IR shorthands

  private static Ix c(int value) {
    return Ix.c(value);
  }

  private static Ix v(String name) {
    return Ix.v(name);
  }

  private static Fx f(float value) {
    return Fx.c(value);
  }

  private static Fx loc(String name) {
    return new Fx.Local(name);
  }

  private static Fx un(UnaryOp op, Fx x) {
    return new Fx.Unary(op, x);
  }

  private static Fx bin(BinaryOp op, Fx a, Fx b) {
    return new Fx.Binary(op, a, b);
  }

  private static St.Store set(Region r, Ix i, Fx value) {
    return new St.Store(r.space(), Ix.add(r.start(), i), value, false);
  }

  private static St.Store addTo(Region r, Ix i, Fx value) {
    return new St.Store(r.space(), Ix.add(r.start(), i), value, true);
  }

  private static St loop(String var, Ix lo, Ix hi, St... body) {
    return new St.Loop(var, lo, hi, List.of(body));
  }

  private static St each(String var, Ix lo, Ix hi, St.Store... body) {
    return new St.ElementLoop(var, lo, hi, List.of(body));
  }

  private static St reduce(String var, Ix lo, Ix hi, String acc, ReduceOp op, Fx value) {
    return new St.ReduceLoop(var, lo, hi, acc, op, value);
  }

  private static St declF(String name, Fx init) {
    return new St.DeclareFloat(name, init);
  }

  private static St declI(String name, Ix init) {
    return new St.DeclareInt(name, init);
  }
}
