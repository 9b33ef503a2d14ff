package nnc.compiler.kernel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes a kernel program directly, with the scalar meaning of every statement: what both
 * emitters must compute (their vector loops may differ only by rounding). Tests use it to check
 * lowering separately from code generation.
 */
public final class KernelInterpreter {
  private final Map<String, Kernel> kernels = new HashMap<>();
  private final float[] p;
  private final float[] m;
  private final int[] rt;
  private final Map<String, Integer> ints = new HashMap<>();
  private final Map<String, Float> floats = new HashMap<>();

  private KernelInterpreter(Program program, float[] p, float[] m, int[] rt) {
    program.kernels().forEach(k -> kernels.put(k.name(), k));
    this.p = p;
    this.m = m;
    this.rt = rt;
  }

  /** The program as {@link nnc.runtime.ModelCode}, interpreted: the reference the emitted classes are compared with. */
  public static nnc.runtime.ModelCode code(Program program) {
    List<String> names = List.copyOf(program.entries().keySet());
    return (entry, p, m, rt) -> call(program, names.get(entry), p, m, rt);
  }

  /** Runs one entry point of {@code program}. */
  public static void call(Program program, String entry, float[] p, float[] m, int[] rt) {
    KernelInterpreter in = new KernelInterpreter(program, p, m, rt);
    for (String k : program.entries().get(entry)) {
      in.ints.clear();
      in.floats.clear();
      in.exec(in.kernels.get(k).body());
    }
  }

  private void exec(List<? extends St> body) {
    for (St s : body) exec(s);
  }

  private void exec(St s) {
    switch (s) {
      case St.Loop l -> {
        int hi = ix(l.hi());
        for (int i = ix(l.lo()); i < hi; i++) {
          ints.put(l.var(), i);
          exec(l.body());
        }
      }
      case St.ElementLoop l -> {
        int hi = ix(l.hi());
        for (int i = ix(l.lo()); i < hi; i++) {
          ints.put(l.var(), i);
          exec(l.body());
        }
      }
      case St.ReduceLoop r -> {
        int hi = ix(r.hi());
        for (int i = ix(r.lo()); i < hi; i++) {
          ints.put(r.var(), i);
          floats.put(r.acc(), (float) r.op().combine(floats.get(r.acc()), fx(r.value())));
        }
      }
      case St.Store st -> {
        float[] a = st.space() == Space.P ? p : m;
        int i = ix(st.index());
        float v = fx(st.value());
        a[i] = st.accumulate() ? a[i] + v : v;
      }
      case St.DeclareFloat d -> floats.put(d.name(), fx(d.init()));
      case St.SetFloat d -> floats.put(d.name(), fx(d.value()));
      case St.DeclareInt d -> ints.put(d.name(), ix(d.init()));
      case St.Comment c -> {}
      case St.Gemm g -> gemm(g);
      case St.GemmSum g -> gemmSum(g);
    }
  }

  /** The reference meaning of a matrix product: each element summed in float in increasing k. */
  private void gemm(St.Gemm g) {
    float[] a = g.aSpace() == Space.P ? p : m, b = g.bSpace() == Space.P ? p : m, c = g.cSpace() == Space.P ? p : m;
    int ao = ix(g.a()), bo = ix(g.b()), co = ix(g.c()), rows = ix(g.m()), cols = ix(g.n()), inner = ix(g.k());
    float alpha = fx(g.alpha());
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        float s = 0;
        for (int q = 0; q < inner; q++) {
          float x = a[ao + (g.transA() ? q * rows + i : i * inner + q)];
          float y = b[bo + (g.transB() ? j * inner + q : q * cols + j)];
          s += x * y;
        }
        int at = co + i * cols + j;
        c[at] = g.accumulate() ? c[at] + alpha * s : alpha * s;
      }
    }
  }

  /** The reference meaning of a batch-summed product: each element one float sum over t, then k. */
  private void gemmSum(St.GemmSum gs) {
    St.Gemm g = gs.gemm();
    float[] a = g.aSpace() == Space.P ? p : m, b = g.bSpace() == Space.P ? p : m, c = g.cSpace() == Space.P ? p : m;
    int ao = ix(g.a()), bo = ix(g.b()), co = ix(g.c()), rows = ix(g.m()), cols = ix(g.n()), inner = ix(g.k());
    int batch = ix(gs.batch()), as = ix(gs.aStride()), bs = ix(gs.bStride());
    float alpha = fx(g.alpha());
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        float s = 0;
        for (int t = 0; t < batch; t++) {
          for (int q = 0; q < inner; q++) {
            float x = a[ao + t * as + (g.transA() ? q * rows + i : i * inner + q)];
            float y = b[bo + t * bs + (g.transB() ? j * inner + q : q * cols + j)];
            s += x * y;
          }
        }
        int at = co + i * cols + j;
        c[at] = g.accumulate() ? c[at] + alpha * s : alpha * s;
      }
    }
  }

  private int ix(Ix x) {
    return switch (x) {
      case Ix.Const c -> c.value();
      case Ix.Var v -> ints.get(v.name());
      case Ix.Rt r -> rt[r.slot()];
      case Ix.Add a -> ix(a.a()) + ix(a.b());
      case Ix.Mul mu -> ix(mu.a()) * ix(mu.b());
      case Ix.Div d -> ix(d.a()) / ix(d.b());
      case Ix.Rem r -> ix(r.a()) % ix(r.b());
      case Ix.FromFloat f -> (int) fx(f.value());
    };
  }

  private float fx(Fx x) {
    return switch (x) {
      case Fx.Const c -> c.value();
      case Fx.Load l -> (l.space() == Space.P ? p : m)[ix(l.index())];
      case Fx.Local l -> floats.get(l.name());
      case Fx.Unary u -> (float) u.op().apply(fx(u.x()));
      case Fx.Binary b -> (float) b.op().apply(fx(b.a()), fx(b.b()));
      case Fx.Select s -> fx(s.cond()) != 0 ? fx(s.a()) : fx(s.b());
      case Fx.FromInt i -> ix(i.value());
      case Fx.Trunc t -> (int) fx(t.x());
    };
  }
}
