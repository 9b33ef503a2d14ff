package nnc.compiler.kernel;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.UnaryOp;

/**
 * Decides which loops become Vector API loops. Both emitters ask this one class, so the ASM
 * bytecode and the Java source always vectorize the same loops.
 *
 * <p>An {@link St.ElementLoop} vectorizes when every store index moves with stride 1 in the loop
 * variable, every load index with stride 1 (a vector load) or 0 (a broadcast scalar), and every op
 * in its expressions has a lane-wise form. A {@link St.ReduceLoop} vectorizes under the same
 * conditions for its value; its result may then differ from the scalar loop by rounding, since
 * lanes are summed in a different order.
 */
public final class Vectorizer {
  private Vectorizer() {}

  public static boolean canVectorize(St.ElementLoop loop) {
    for (St.Store s : loop.body()) {
      Integer c = coefficient(s.index(), loop.var());
      if (c == null || c != 1 || !lanewise(s.value(), loop.var())) return false;
    }
    return true;
  }

  public static boolean canVectorize(St.ReduceLoop loop) {
    // A value that reads its own accumulator would see the value from before the vector loop.
    return lanewise(loop.value(), loop.var()) && !readsLocal(loop.value(), loop.acc());
  }

  private static boolean readsLocal(Fx x, String name) {
    return switch (x) {
      case Fx.Local l -> l.name().equals(name);
      case Fx.Const c -> false;
      case Fx.Load l -> false;
      case Fx.FromInt i -> false;
      case Fx.Unary u -> readsLocal(u.x(), name);
      case Fx.Trunc t -> readsLocal(t.x(), name);
      case Fx.Binary b -> readsLocal(b.a(), name) || readsLocal(b.b(), name);
      case Fx.Select s -> readsLocal(s.cond(), name) || readsLocal(s.a(), name) || readsLocal(s.b(), name);
    };
  }

  /** Whether expression {@code x} has a lane-wise form in a loop over {@code var}. */
  public static boolean lanewise(Fx x, String var) {
    return switch (x) {
      case Fx.Const c -> true;
      case Fx.Local l -> true;
      case Fx.Load l -> {
        Integer c = coefficient(l.index(), var);
        yield c != null && (c == 0 || c == 1);
      }
      case Fx.Unary u -> vectorizable(u.op()) && lanewise(u.x(), var);
      case Fx.Binary b -> vectorizable(b.op()) && lanewise(b.a(), var) && lanewise(b.b(), var);
      case Fx.Select s -> lanewise(s.cond(), var) && lanewise(s.a(), var) && lanewise(s.b(), var);
      case Fx.FromInt i -> !mentions(i.value(), var);
      case Fx.Trunc t -> false;
    };
  }

  /** Unary ops with a lane-wise form (VectorOperators, or a short composition of them). */
  public static boolean vectorizable(UnaryOp op) {
    return switch (op) {
      case NEG, ABS, SQRT, EXP, LOG, LOG1P, SIN, COS, TANH, RELU, SIGMOID, SOFTPLUS, HEAVISIDE -> true;
      case SIGN, ERF -> false;
    };
  }

  public static boolean vectorizable(BinaryOp op) {
    return true;
  }

  /**
   * The coefficient of {@code var} in {@code ix} when ix is affine in var (its other terms do not
   * mention var), or null when it is not (var inside a division, a product of two var terms...).
   */
  public static Integer coefficient(Ix ix, String var) {
    return switch (ix) {
      case Ix.Const c -> 0;
      case Ix.Rt r -> 0;
      case Ix.Var v -> v.name().equals(var) ? 1 : 0;
      case Ix.Add a -> {
        Integer x = coefficient(a.a(), var), y = coefficient(a.b(), var);
        yield x == null || y == null ? null : x + y;
      }
      case Ix.Mul m -> {
        Integer x = coefficient(m.a(), var), y = coefficient(m.b(), var);
        if (x == null || y == null) yield null;
        if (x == 0 && y == 0) yield 0;
        if (x != 0 && y != 0) yield null;
        Ix other = x == 0 ? m.a() : m.b();
        yield other instanceof Ix.Const k ? (x + y) * k.value() : null;
      }
      case Ix.Div d -> mentions(d, var) ? null : 0;
      case Ix.Rem r -> mentions(r, var) ? null : 0;
      case Ix.FromFloat f -> mentions(f, var) ? null : 0;
    };
  }

  /** Whether {@code ix} refers to {@code var} anywhere. */
  public static boolean mentions(Ix ix, String var) {
    return switch (ix) {
      case Ix.Const c -> false;
      case Ix.Rt r -> false;
      case Ix.Var v -> v.name().equals(var);
      case Ix.Add a -> mentions(a.a(), var) || mentions(a.b(), var);
      case Ix.Mul m -> mentions(m.a(), var) || mentions(m.b(), var);
      case Ix.Div d -> mentions(d.a(), var) || mentions(d.b(), var);
      case Ix.Rem r -> mentions(r.a(), var) || mentions(r.b(), var);
      case Ix.FromFloat f -> mentions(f.value(), var);
    };
  }

  static boolean mentions(Fx x, String var) {
    return switch (x) {
      case Fx.Const c -> false;
      case Fx.Local l -> false;
      case Fx.Load l -> mentions(l.index(), var);
      case Fx.Unary u -> mentions(u.x(), var);
      case Fx.Binary b -> mentions(b.a(), var) || mentions(b.b(), var);
      case Fx.Select s -> mentions(s.cond(), var) || mentions(s.a(), var) || mentions(s.b(), var);
      case Fx.FromInt i -> mentions(i.value(), var);
      case Fx.Trunc t -> mentions(t.x(), var);
    };
  }
}
